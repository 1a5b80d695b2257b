"""Catalogue pages for coordinators: sites and rooms, partners, activities with their
weekly slots, staff profiles, and closures and goal domains (administrators). They call
the same services as the JSON API and refuse the same input.

One module per part; `PAGES` lists every handler for the app."""

from service.catalog.pages.activities import (
    activities_page,
    add_slot_submit,
    create_activity_submit,
    edit_activity_page,
    end_slot_submit,
    new_activity_page,
    update_activity_submit,
)
from service.catalog.pages.closures import add_closure_submit, closures_page, remove_closure_submit
from service.catalog.pages.day_service import day_service_page, day_service_submit
from service.catalog.pages.domains import domain_submit, domains_page
from service.catalog.pages.partners import (
    create_partner_submit,
    delete_partner_submit,
    edit_partner_page,
    new_partner_page,
    partners_page,
    update_partner_submit,
)
from service.catalog.pages.sites import (
    add_room_submit,
    create_site_submit,
    delete_room_submit,
    delete_site_submit,
    edit_site_page,
    new_site_page,
    sites_page,
    update_site_submit,
)
from service.catalog.pages.staff import edit_staff_page, save_staff_submit, staff_page

PAGES = [
    day_service_page,
    day_service_submit,
    sites_page,
    new_site_page,
    edit_site_page,
    create_site_submit,
    update_site_submit,
    add_room_submit,
    delete_room_submit,
    delete_site_submit,
    partners_page,
    new_partner_page,
    edit_partner_page,
    create_partner_submit,
    update_partner_submit,
    delete_partner_submit,
    activities_page,
    new_activity_page,
    edit_activity_page,
    create_activity_submit,
    update_activity_submit,
    add_slot_submit,
    end_slot_submit,
    staff_page,
    edit_staff_page,
    save_staff_submit,
    domains_page,
    domain_submit,
    closures_page,
    add_closure_submit,
    remove_closure_submit,
]

__all__ = ["PAGES"]
