#!/usr/bin/env node
// The package's command. TypeScript runs through tsx, so the shipped sources are the ones tested.
import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");
