/**
 * Curves drawn on the server as SVG: no chart library to serve, nothing to run in the browser,
 * readable with scripts off. Both axes run 0..1 (ROC, precision-recall, gains).
 */
export interface Series {
  name: string;
  points: [number, number][];
  /** A dashed line for yardsticks. */
  dashed?: boolean;
}

const W = 320;
const H = 240;
const PAD = { left: 40, right: 10, top: 10, bottom: 36 };
const COLORS = ["#0b5cad", "#a3261b", "#1a6b35", "#7a5200"];
const x = (v: number) => PAD.left + v * (W - PAD.left - PAD.right);
const y = (v: number) => H - PAD.bottom - v * (H - PAD.top - PAD.bottom);
const finite = (p: [number, number]) => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/** At most `max` points, evenly taken: a curve of thousands of thresholds draws the same with 200. */
function thin(points: [number, number][], max = 200): [number, number][] {
  if (points.length <= max) return points;
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * step)]);
}

export function LineChart({ id, title, xLabel, yLabel, series, diagonal }: { id: string; title: string; xLabel: string; yLabel: string; series: Series[]; diagonal?: boolean }) {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <figure class="card chart">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style="max-width: 420px" role="img" aria-labelledby={`${id}-title`}>
        <title id={`${id}-title`}>{title}</title>
        {ticks.map((t) => (
          <g>
            <line x1={x(0)} x2={x(1)} y1={y(t)} y2={y(t)} stroke="#e1e5ea" />
            <text x={PAD.left - 6} y={y(t) + 4} font-size="10" text-anchor="end" fill="#4a5361">
              {t}
            </text>
            <text x={x(t)} y={H - PAD.bottom + 14} font-size="10" text-anchor="middle" fill="#4a5361">
              {t}
            </text>
          </g>
        ))}
        <line x1={x(0)} x2={x(1)} y1={y(0)} y2={y(0)} stroke="#4a5361" />
        <line x1={x(0)} x2={x(0)} y1={y(0)} y2={y(1)} stroke="#4a5361" />
        {diagonal && <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} stroke="#8a93a0" stroke-dasharray="3 3" />}
        {series.map((s, i) => (
          <polyline
            fill="none"
            stroke={COLORS[i % COLORS.length]}
            stroke-width="2"
            stroke-dasharray={s.dashed ? "5 3" : undefined}
            points={thin(s.points.filter(finite))
              .map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`)
              .join(" ")}
          />
        ))}
        <text x={(x(0) + x(1)) / 2} y={H - 6} font-size="11" text-anchor="middle" fill="#1b1f24">
          {xLabel}
        </text>
        <text x={12} y={(y(0) + y(1)) / 2} font-size="11" text-anchor="middle" fill="#1b1f24" transform={`rotate(-90 12 ${(y(0) + y(1)) / 2})`}>
          {yLabel}
        </text>
      </svg>
      <figcaption>
        {title}:{" "}
        {series.map((s, i) => (
          <span style={`color: ${COLORS[i % COLORS.length]}`}>
            {i > 0 ? " · " : ""}
            {s.dashed ? "- - " : "— "}
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
