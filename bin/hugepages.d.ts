// Types of bin/hugepages.js (plain JS: the launcher runs before tsx is registered).
export declare const HUGE_PAGE_COMMANDS: ReadonlySet<string>;
export declare function hugePagesEnv(command: string | undefined, env: NodeJS.ProcessEnv, platform?: string): NodeJS.ProcessEnv | null;
export declare function withHugePages(env: NodeJS.ProcessEnv, platform?: string): NodeJS.ProcessEnv | null;
