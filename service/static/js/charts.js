// Every chart in Tupa, drawn with Chart.js from data the page gives in a JSON block
// (the Content-Security-Policy allows no inline script; a JSON block is never run).
// Markup: templates/macros/chart.html: <canvas data-chart="ID-data"> and
// <script type="application/json" id="ID-data">{"kind", "title", "unit", "labels",
// "series": [{"label", "data"}]}</script>. The numbers are also in a table under the
// chart, which is its text alternative; charts are redrawn without animation to print.
(function () {
  "use strict";
  var COLOURS = ["#1f5f8b", "#2e6b2e", "#7a4b1f", "#5b3f8c", "#a33b3b", "#3b7d7d"];
  var charts = [];

  function quiet() {
    return (
      window.matchMedia("print").matches ||
      window.matchMedia("(prefers-reduced-motion: reduce)").matches
    );
  }

  function datasets(spec) {
    return spec.series.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: series.label,
        data: series.data,
        borderColor: colour,
        backgroundColor: spec.kind === "line" ? colour : colour + "cc",
        spanGaps: true,
        tension: 0.2,
      };
    });
  }

  function draw(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-chart"));
    if (!block || typeof window.Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(block.textContent);
    var unit = spec.unit || "";
    var chart = new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: {
        animation: quiet() ? false : undefined,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: spec.series.length > 1 },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + item.formattedValue + unit;
              },
            },
          },
        },
        scales: {
          y: {
            beginAtZero: true,
            suggestedMax: unit === "%" ? 100 : undefined,
            ticks: { precision: 0 },
          },
        },
      },
    });
    canvas.setAttribute("data-drawn", "true");
    charts.push(chart);
  }

  function redraw() {
    charts.forEach(function (chart) {
      chart.options.animation = false;
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
  window.addEventListener("beforeprint", redraw);
  window.addEventListener("afterprint", redraw);
})();
