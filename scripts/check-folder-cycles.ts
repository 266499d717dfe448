/**
 * Fails when the folders of lib/ import each other in a cycle (`npm run lint` runs it).
 * ESLint's import/no-cycle sees cycles between files; this sees the coarser ones between
 * folders, e.g. lib/a/x.ts → lib/b/y.ts and lib/b/z.ts → lib/a/w.ts, which keep two modules from
 * being understood or changed one at a time. Type-only imports count: they couple folders too.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(import.meta.dirname, "..");
const LIB = path.join(ROOT, "lib");

interface Import {
  file: string;
  specifier: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The lib folder a file or import target lies in, or null outside lib/. */
function folderOf(target: string): string | null {
  const relative = path.relative(LIB, target);
  if (relative.startsWith("..") || path.isAbsolute(relative)) return null;
  return relative.split(path.sep)[0] || null;
}

/** Where an import points on disk (as a path prefix; the extension does not matter here), or null for packages. */
function targetOf(file: string, specifier: string): string | null {
  if (specifier.startsWith("@/")) return path.join(ROOT, specifier.slice(2));
  if (specifier.startsWith(".")) return path.resolve(path.dirname(file), specifier);
  return null;
}

/** folder → folder it imports → the imports that make the edge. */
function folderGraph(): Map<string, Map<string, Import[]>> {
  const graph = new Map<string, Map<string, Import[]>>();
  for (const file of sourceFiles(LIB)) {
    const from = folderOf(file);
    if (!from) continue;
    const edges = graph.get(from) ?? new Map<string, Import[]>();
    graph.set(from, edges);
    for (const { fileName: specifier } of ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles) {
      const target = targetOf(file, specifier);
      const to = target && folderOf(target);
      if (!to || to === from) continue;
      edges.set(to, [...(edges.get(to) ?? []), { file: path.relative(ROOT, file), specifier }]);
    }
  }
  return graph;
}

/** Tarjan's strongly connected components: every folder of a component with two or more reaches every other. */
function entangledGroups(graph: Map<string, Map<string, Import[]>>): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const groups: string[][] = [];
  const visit = (folder: string) => {
    index.set(folder, index.size);
    lowLink.set(folder, index.get(folder)!);
    stack.push(folder);
    for (const next of graph.get(folder)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(folder, Math.min(lowLink.get(folder)!, lowLink.get(next)!));
      } else if (stack.includes(next)) {
        lowLink.set(folder, Math.min(lowLink.get(folder)!, index.get(next)!));
      }
    }
    if (lowLink.get(folder) !== index.get(folder)) return;
    const group: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member) group.push(member);
    } while (member && member !== folder);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const folder of [...graph.keys()].sort()) if (!index.has(folder)) visit(folder);
  return groups;
}

/** The shortest cycle through `start` (breadth-first), as the folders it passes. */
function shortestCycle(graph: Map<string, Map<string, Import[]>>, start: string): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const folder = queue.shift()!;
    for (const next of graph.get(folder)?.keys() ?? []) {
      if (next === start) {
        const cycle = [folder];
        while (cycle[0] !== start) cycle.unshift(cameFrom.get(cycle[0]!)!);
        return [...cycle, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, folder);
        queue.push(next);
      }
    }
  }
  return [];
}

const graph = folderGraph();
const groups = entangledGroups(graph);
if (groups.length === 0) {
  console.log(`lib/ folders import each other without cycles (${graph.size} folders)`);
} else {
  for (const group of groups) {
    const cycle = shortestCycle(graph, group[0]!);
    console.error(`Import cycle between lib folders: ${cycle.join(" → ")}`);
    for (let i = 0; i + 1 < cycle.length; i += 1) {
      for (const { file, specifier } of graph.get(cycle[i]!)!.get(cycle[i + 1]!)!) console.error(`  ${file} imports ${specifier}`);
    }
    // Breaking one cycle may leave another among the same folders: show every import between them.
    console.error(`All imports among the entangled folders (${group.join(", ")}):`);
    for (const from of group) {
      for (const [to, imports] of graph.get(from) ?? []) {
        if (group.includes(to)) console.error(`  ${from} → ${to}: ${[...new Set(imports.map(({ file }) => file))].join(", ")}`);
      }
    }
  }
  process.exitCode = 1;
}
