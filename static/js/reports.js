// Kyoso reports: draws the dashboard charts from the data in <script id="reports-chart-data">
// (json_script). Every chart has its numbers in a table next to it, so the page works without JS.
(function () {
  "use strict";
  var PALETTE = ["#1f6f8b", "#e07a1f", "#4c9a2a", "#b23a48", "#6a4c93", "#8a6d1f", "#3a7ca5"];

  function color(index) {
    return PALETTE[index % PALETTE.length];
  }

  var data = {};

  function draw(canvas, config) {
    if (!canvas || typeof window.Chart === "undefined") {
      return;
    }
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options || {});
    // Every fiscal year keeps its label (none skipped), on two short lines in a readable size.
    var x = config.options.scales && config.options.scales.x;
    if (config.type === "bar" && config.options.scales) {
      config.options.scales.x = Object.assign({}, x || {}, {
        title: { display: true, text: data.axis_title },
        ticks: { autoSkip: false, maxRotation: 90, font: { size: 12 } }
      });
    }
    new window.Chart(canvas, config);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("reports-chart-data");
    if (!source) {
      return;
    }
    data = JSON.parse(source.textContent);
    var byName = function (name) {
      return document.querySelector('canvas[data-chart="' + name + '"]');
    };

    draw(byName("participation"), {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: data.participation.meetings_label, data: data.participation.meetings,
            backgroundColor: color(0), yAxisID: "meetings" },
          { type: "line", label: data.participation.attendance_label, data: data.participation.attendance,
            borderColor: color(1), backgroundColor: color(1), yAxisID: "attendance" }
        ]
      },
      options: {
        scales: {
          x: {},
          meetings: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 } },
          attendance: { type: "linear", position: "right", beginAtZero: true, ticks: { precision: 0 },
            grid: { drawOnChartArea: false } }
        }
      }
    });

    draw(byName("sectors"), {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.sectors.map(function (sector, i) {
          return { label: sector.label, data: sector.values, backgroundColor: color(i) };
        })
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });

    draw(byName("funding"), {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.funding.map(function (kind, i) {
          return { label: kind.label, data: kind.values, backgroundColor: color(i) };
        })
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
    });

    draw(byName("phases"), {
      type: "doughnut",
      data: {
        labels: data.phases.labels,
        datasets: [{ label: data.phases.label, data: data.phases.values,
          backgroundColor: data.phases.values.map(function (_, i) { return color(i); }) }]
      }
    });
  });
})();
