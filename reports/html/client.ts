// The script that draws every plot of a page with uPlot. It runs in the browser, so it is plain ES5
// text: each <figure class="plot"> carries its PlotSpec (plots.ts) as JSON in a script element.

export const PLOT_SCRIPT = String.raw`
(function () {
  "use strict";
  var HEIGHT = 300;
  var SHADE_COLORS = { outside: "rgba(110, 120, 130, 0.14)", fault: "rgba(214, 39, 40, 0.18)" };

  function formatUs(v) {
    if (v == null) return "-";
    if (v >= 1e6) return +(v / 1e6).toPrecision(3) + "s";
    if (v >= 1e3) return +(v / 1e3).toPrecision(3) + "ms";
    return +v.toPrecision(3) + "\u00b5s";
  }

  function formatRate(v) {
    return v == null ? "-" : String(Math.round(v * 10) / 10);
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

  function shadeHook(shades) {
    return function (u) {
      var box = u.bbox;
      shades.forEach(function (s) {
        var x0 = Math.max(box.left, u.valToPos(s.from_s, "x", true));
        var x1 = Math.min(box.left + box.width, u.valToPos(s.to_s, "x", true));
        if (x1 <= x0) return;
        u.ctx.fillStyle = SHADE_COLORS[s.kind];
        u.ctx.fillRect(x0, box.top, x1 - x0, box.height);
      });
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
    return { label: "virtual time (s)" };
  }

  function xSeries(spec) {
    if (spec.kind === "spectrum") {
      return {
        label: "percentile",
        value: function (u, x) { return x == null ? "-" : (100 * (1 - 1 / x)).toFixed(3) + "%"; },
      };
    }
    return { label: "time", value: function (u, x) { return x == null ? "-" : x + " s"; } };
  }

  function options(spec, width) {
    var format = spec.yUnit === "us" ? formatUs : formatRate;
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
      hooks: { drawClear: [shadeHook(spec.shades)] },
    };
  }

  var plots = [];
  Array.prototype.forEach.call(document.querySelectorAll("figure.plot"), function (figure) {
    var spec = JSON.parse(figure.querySelector("script.plot-data").textContent);
    var area = figure.querySelector(".plot-area");
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    area.textContent = ""; // the note shown when scripts are off
    plots.push({ area: area, plot: new uPlot(options(spec, area.clientWidth), data, area) });
  });
  window.addEventListener("resize", function () {
    plots.forEach(function (p) { p.plot.setSize({ width: p.area.clientWidth, height: HEIGHT }); });
  });
})();
`;
