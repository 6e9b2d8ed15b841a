/** The command line that runs this same CLI again (in a child process), in dev (tsx) and compiled form alike. */
export function selfArgv(): { readonly command: string; readonly args: readonly string[] } {
  const entry = process.argv[1];
  if (entry === undefined) throw new Error("cannot tell how this CLI was started (process.argv[1] is empty)");
  return { command: process.execPath, args: [...process.execArgv, entry] };
}
