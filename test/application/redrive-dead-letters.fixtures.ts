export const PERMANENT = { kind: 'permanent', times: Number.MAX_SAFE_INTEGER } as const;
