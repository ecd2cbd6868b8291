import { generateHelp, runGenerate } from "../../generator/main.js";
import type { Command } from "../command.js";

export const generateCommand: Command = {
  name: "generate",
  summary: "Turn specs/ into typed adapters and the model catalog (--check: fail when stale)",
  help: generateHelp,
  run: (argv, io) => runGenerate(argv, io),
};
