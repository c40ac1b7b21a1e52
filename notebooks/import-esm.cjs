// import() from a file on disk. tslab compiles notebook cells to CommonJS and runs them in a vm
// context, where import() of an ES-module-only package (vega, vega-lite) fails on Node 20; a
// function from a real CommonJS file keeps Node's own import().
module.exports = (name) => import(name);
