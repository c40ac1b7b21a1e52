// @w2s/debate: not implemented yet (see its README).
export {};
