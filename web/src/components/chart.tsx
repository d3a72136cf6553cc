// A time-series chart drawn by uPlot (loaded with the first chart, never by the overview), in
// the theme's colours, as wide as its panel; its height is reserved before uPlot arrives so the
// page does not move.

import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';

type UPlotCtor = typeof uPlot;
let uplot: Promise<UPlotCtor> | undefined;
const loadUplot = () => (uplot ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default));

const PALETTE = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6'];

export interface ChartProps {
  title: string;
  names: string[];
  data: [number[], ...Array<Array<number | null>>];
  format: (v: number | null) => string;
  height?: number;
  /** y axis starts at 0 (counts, rates) */
  zero?: boolean;
  /** the time axis' span in seconds (the chosen range, whatever points there are) */
  xRange?: [number, number];
}

export function Chart({ title, names, data, format, height = 170, zero = true, xRange }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>();
  const latest = useRef(data);
  latest.current = data;
  const span = useRef(xRange);
  span.current = xRange;
  const [dark, setDark] = useState(() => matchMedia('(prefers-color-scheme: dark)').matches);

  useEffect(() => {
    const m = matchMedia('(prefers-color-scheme: dark)');
    const l = () => setDark(m.matches);
    m.addEventListener('change', l);
    return () => m.removeEventListener('change', l);
  }, []);

  const shape = `${names.join('|')}:${dark}`;
  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | undefined;
    void loadUplot().then((UPlot) => {
      if (cancelled || !box.current) return;
      const css = getComputedStyle(document.documentElement);
      const v = (name: string) => css.getPropertyValue(name).trim();
      const axis = { stroke: v('--muted'), grid: { stroke: v('--grid'), width: 1 }, ticks: { stroke: v('--grid'), width: 1 }, font: '11px system-ui, sans-serif' };
      plot.current?.destroy();
      plot.current = new UPlot(
        {
          width: box.current.clientWidth || 300,
          height,
          legend: { show: true, live: true },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true, range: (_u, min, max) => span.current ?? [min, max] }, y: { range: (_u, min, max) => [zero ? 0 : min, max > 0 ? max * 1.1 : 1] } },
          axes: [axis, { ...axis, size: 64, values: (_u, vals) => vals.map((x) => format(x)) }],
          series: [{}, ...names.map((name, i) => ({ label: name, stroke: v(PALETTE[i % PALETTE.length]), width: 1.5, value: (_u: uPlot, x: number | null) => format(x), spanGaps: false, points: { show: false } }))],
        },
        latest.current as uPlot.AlignedData,
        box.current,
      );
      observer = new ResizeObserver(() => box.current && plot.current?.setSize({ width: box.current.clientWidth, height }));
      observer.observe(box.current);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
    };
  }, [shape]);

  useEffect(() => plot.current?.setData(data as uPlot.AlignedData), [data, xRange?.[1]]);
  useEffect(() => () => plot.current?.destroy(), []);

  const empty = data[0].length === 0;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-box" style={{ minHeight: height + 34 }} aria-label={`${title} chart`} role="img" />
      {empty && <p class="chart-empty muted small">No points in this range yet.</p>}
    </figure>
  );
}
