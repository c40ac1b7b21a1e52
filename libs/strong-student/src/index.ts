// @w2s/strong-student: not implemented yet (see its README).
export {};
