// The script that draws every plot of a page with uPlot. It runs in the browser, so it is plain ES5
// text: each <figure class="plot"> carries its PlotSpec (plots.ts) as JSON in a script element.
// A time plot's bands and markers (time-marks.ts) are filled and drawn on the canvas; their labels
// are elements in a strip above it, in lanes so that labels of overlapping spans never cover each
// other. It also marks tables wider than the page, which then scroll sideways (class "scrolls").

export const PLOT_SCRIPT = String.raw`
(function () {
  "use strict";
  var HEIGHT = 300;
  var LANE_HEIGHT = 20;

  function formatUs(v) {
    if (v == null) return "-";
    if (v >= 1e6) return +(v / 1e6).toPrecision(3) + "s";
    if (v >= 1e3) return +(v / 1e3).toPrecision(3) + "ms";
    return +v.toPrecision(3) + "\u00b5s";
  }

  function formatRate(v) {
    return v == null ? "-" : String(Math.round(v * 10) / 10);
  }

  function formatNumber(v) {
    return v == null ? "-" : String(+v.toPrecision(3));
  }

  // HdrHistogram's axis: x = 1 / (1 - percentile / 100), labelled by percentile at each decade.
  function percentileLabel(x) {
    var k = Math.round(Math.log10(x));
    if (k <= 0) return "0%";
    if (k === 1) return "90%";
    return "99" + (k > 2 ? "." + new Array(k - 1).join("9") : "") + "%";
  }

  function decades(scaleMin, scaleMax) {
    var splits = [];
    for (var v = 1; v <= scaleMax * 1.000001; v *= 10) if (v >= scaleMin / 1.000001) splits.push(v);
    return splits;
  }

  function bandHook(bands) {
    return function (u) {
      var box = u.bbox;
      bands.forEach(function (b) {
        var x0 = Math.max(box.left, u.valToPos(b.from_s, "x", true));
        var x1 = Math.min(box.left + box.width, u.valToPos(b.to_s, "x", true));
        if (x1 <= x0) x1 = x0 + 1; // a span too short to see is still marked
        u.ctx.fillStyle = b.color;
        u.ctx.fillRect(x0, box.top, x1 - x0, box.height);
      });
    };
  }

  function markerHook(markers) {
    return function (u) {
      var box = u.bbox;
      var ctx = u.ctx;
      ctx.save();
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
      markers.forEach(function (m) {
        var x = Math.round(u.valToPos(m.at_s, "x", true));
        if (x < box.left || x > box.left + box.width) return;
        ctx.strokeStyle = m.color;
        ctx.beginPath();
        ctx.moveTo(x, box.top);
        ctx.lineTo(x, box.top + box.height);
        ctx.stroke();
      });
      ctx.restore();
    };
  }

  // The labels of bands and markers: one element each, placed in lanes on every redraw (a resize
  // moves them): an element goes to the first lane where it clears the one before.
  function laneHook(spec, strip) {
    var items = spec.bands
      .map(function (b) {
        return { from: b.from_s, to: b.to_s, label: b.label, color: b.color, kind: b.kind, band: true };
      })
      .concat(
        spec.markers.map(function (m) {
          return { from: m.at_s, to: m.at_s, label: m.label, color: m.color, kind: m.kind, band: false };
        }),
      )
      .sort(function (a, b) { return a.from - b.from || b.to - a.to; });
    items.forEach(function (item) {
      var element = document.createElement("span");
      element.className = item.band ? "band-label" : "marker-label";
      element.setAttribute("data-kind", item.kind);
      element.textContent = item.label;
      element.title = item.label;
      if (item.band) element.style.background = item.color;
      else element.style.borderLeftColor = item.color;
      strip.appendChild(element);
      item.element = element;
    });
    return function (u) {
      var offset = u.over.getBoundingClientRect().left - strip.getBoundingClientRect().left;
      var right = strip.clientWidth;
      var lanes = [];
      items.forEach(function (item) {
        var x0 = offset + u.valToPos(item.from, "x");
        var x1 = offset + u.valToPos(item.to, "x");
        var element = item.element;
        element.style.minWidth = item.band ? Math.max(0, x1 - x0) + "px" : "";
        var width = element.offsetWidth;
        var left = Math.max(0, Math.min(x0, right - width));
        var lane = 0;
        while (lane < lanes.length && lanes[lane] > left) lane++;
        lanes[lane] = left + width + 4;
        element.style.left = left + "px";
        element.style.top = lane * LANE_HEIGHT + "px";
      });
      strip.style.height = lanes.length * LANE_HEIGHT + "px";
    };
  }

  function xScale(spec) {
    if (spec.kind === "spectrum") {
      return {
        time: false,
        distr: 3,
        log: 10,
        range: function (u, min, max) {
          return [1, Math.max(10, Math.pow(10, Math.ceil(Math.log10(max) - 1e-9)))];
        },
      };
    }
    return { time: false, range: function () { return spec.xRange; } };
  }

  function yScale(spec) {
    if (spec.yLog) return { distr: 3, log: 10 };
    return { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } };
  }

  function xAxis(spec) {
    if (spec.kind === "spectrum") {
      return {
        label: "percentile",
        splits: function (u, i, min, max) { return decades(min, max); },
        values: function (u, splits) { return splits.map(percentileLabel); },
      };
    }
    if (spec.kind === "load") return { label: "offered ops/s" };
    return { label: "virtual time (s)" };
  }

  function xSeries(spec) {
    if (spec.kind === "spectrum") {
      return {
        label: "percentile",
        value: function (u, x) { return x == null ? "-" : (100 * (1 - 1 / x)).toFixed(3) + "%"; },
      };
    }
    if (spec.kind === "load") {
      return { label: "offered", value: function (u, x) { return x == null ? "-" : x + "/s"; } };
    }
    return { label: "time", value: function (u, x) { return x == null ? "-" : x + " s"; } };
  }

  function options(spec, width, strip) {
    var format = spec.yUnit === "us" ? formatUs : spec.yUnit === "number" ? formatNumber : formatRate;
    return {
      width: width,
      height: HEIGHT,
      scales: { x: xScale(spec), y: yScale(spec) },
      axes: [
        xAxis(spec),
        {
          label: spec.yLabel,
          size: 64,
          // uPlot passes null for the log scale's minor ticks it leaves unlabelled.
          values: function (u, splits) {
            return splits.map(function (v) { return v == null ? "" : format(v); });
          },
        },
      ],
      series: [xSeries(spec)].concat(
        spec.series.map(function (s) {
          return {
            label: s.label,
            stroke: s.color,
            dash: s.dash,
            width: 2,
            spanGaps: true,
            points: { show: true, size: 4 },
            value: function (u, v) { return format(v); },
          };
        }),
      ),
      hooks: {
        drawClear: [bandHook(spec.bands)],
        draw: strip === null ? [markerHook(spec.markers)] : [markerHook(spec.markers), laneHook(spec, strip)],
      },
    };
  }

  var plots = [];
  Array.prototype.forEach.call(document.querySelectorAll("figure.plot"), function (figure) {
    var spec = JSON.parse(figure.querySelector("script.plot-data").textContent);
    var area = figure.querySelector(".plot-area");
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    area.textContent = ""; // the note shown when scripts are off
    var strip = null;
    if (spec.bands.length + spec.markers.length > 0) {
      strip = document.createElement("div");
      strip.className = "plot-lanes";
      area.appendChild(strip);
    }
    plots.push({ area: area, plot: new uPlot(options(spec, area.clientWidth, strip), data, area) });
  });

  function markWideTables() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (wrap) {
      wrap.classList.toggle("scrolls", wrap.scrollWidth > wrap.clientWidth + 1);
    });
  }
  markWideTables();
  window.addEventListener("resize", function () {
    plots.forEach(function (p) { p.plot.setSize({ width: p.area.clientWidth, height: HEIGHT }); });
    markWideTables();
  });
})();
`;
