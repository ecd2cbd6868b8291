import { ForeignOutputError, listForeignFiles } from "../generator/output-folder.js";
import { UsageError } from "./command.js";

/**
 * Refuses (as bad usage, before anything is changed) an `--out` folder holding files the generator did not
 * write: regenerating swaps the folder in whole, so those files would be deleted.
 */
export async function requireGeneratorOutputFolder(outDir: string): Promise<void> {
  const foreign = await listForeignFiles(outDir).catch((error: unknown) => {
    if (error instanceof ForeignOutputError) throw new UsageError(`--out ${error.message}`);
    throw error;
  });
  if (foreign.length > 0) throw new UsageError(`--out ${new ForeignOutputError(outDir, foreign).message}`);
}
