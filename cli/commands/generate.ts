import { generateHelp, generateOptions, runGenerate } from "../../generator/main.js";
import { parseCommandArgs } from "../args.js";
import type { Command } from "../command.js";

export const generateCommand: Command = {
  name: "generate",
  summary: "Turn specs/ into typed adapters and the model catalog (--check: fail when stale)",
  help: generateHelp,
  run(argv, io) {
    // The CLI's checks first (an unknown option gets its did-you-mean), then the generator's own run.
    parseCommandArgs(argv, generateOptions);
    return runGenerate(argv, io);
  },
};
