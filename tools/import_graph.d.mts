// Types of tools/import_graph.mjs, for the layout test.
export declare const LAYERS: [string, string[]][];
export declare function layerOf(path: string): number;
export declare function importGraph(root: string): { modules: string[]; arrows: { from: string; to: string; typeOnly: boolean }[] };
export declare function cycles(modules: string[], arrows: { from: string; to: string }[]): string[][];
