/**
 * A download progress bar for stderr: redrawn in place on a terminal, one line per 10 %
 * otherwise (logs and CI), so a long download shows it is alive without flooding a log.
 */
export function progressBar(label: string, out: NodeJS.WriteStream = process.stderr): (done: number, total?: number) => void {
  let lastStep = -1;
  let lastDraw = 0;
  return (done, total) => {
    const mb = (n: number) => (n / 1e6).toFixed(1);
    if (out.isTTY) {
      const now = Date.now();
      if (now - lastDraw < 100 && done !== total) return;
      lastDraw = now;
      const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : undefined;
      const bar = pct === undefined ? '' : `[${'#'.repeat(Math.floor(pct / 5)).padEnd(20, '.')}] ${String(pct).padStart(3)}% `;
      out.write(`\r${label} ${bar}${mb(done)}${total ? ` / ${mb(total)}` : ''} MB`);
      if (total && done >= total) out.write('\n');
      return;
    }
    const step = total ? Math.floor((done / total) * 10) : Math.floor(done / 50e6);
    if (step === lastStep) return;
    lastStep = step;
    out.write(`${label} ${mb(done)}${total ? ` / ${mb(total)} MB (${step * 10} %)` : ' MB'}\n`);
  };
}
