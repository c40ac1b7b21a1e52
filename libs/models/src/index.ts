// @w2s/models: not implemented yet (see its README).
export {};
