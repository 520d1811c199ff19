/**
 * Preloaded into a process (node --import) by the bounded-memory test: prints the process's
 * peak resident memory, every thread included, as its last line on stderr.
 */
process.on('exit', () => {
  process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\n`);
});
