/**
 * `workers` loops each calling `op(i)` with a fresh index until `seconds` have passed or `count`
 * calls were started; returns the calls per second and how many there were.
 */
export async function closedLoop(
  op: (i: number) => Promise<unknown>, seconds: number, workers: number, count = Infinity,
): Promise<{ rate: number; count: number }> {
  let next = 0;
  const t0 = performance.now();
  const deadline = count === Infinity ? t0 + seconds * 1000 : Infinity;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (next < count && performance.now() < deadline) await op(next++);
  }));
  return { rate: next / ((performance.now() - t0) / 1000), count: next };
}
