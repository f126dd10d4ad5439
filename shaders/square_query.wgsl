// One query's draws of a row (see square_common.wgsl); needs rowIds and uniforms key, side, height, width, channels.
const QUERY_DRAWS : u32 = 5u;

struct QueryDraws {
  vh : i32,
  vw : i32,
  vh2 : i32,
  vw2 : i32,
  transposed : bool,
}

fn queryBase(row : i32) -> u32 {
  return u32(rowIds[row]) * (QUERY_DRAWS + u32(uniforms.channels));
}

fn queryDraws(row : i32) -> QueryDraws {
  let base = queryBase(row);
  let key = uniforms.key;
  let freeRows = uniforms.height - uniforms.side;
  let freeCols = uniforms.width - uniforms.side;
  var d : QueryDraws;
  d.vh = pickBelow(squareDraw(key, base), freeRows);
  d.vw = pickBelow(squareDraw(key, base + 1u), freeCols);
  d.vh2 = pickBelow(squareDraw(key, base + 2u), freeRows);
  d.vw2 = pickBelow(squareDraw(key, base + 3u), freeCols);
  d.transposed = (squareDraw(key, base + 4u) >> 31u) == 1u;
  return d;
}

fn querySign(row : i32, ch : i32) -> f32 {
  return signOf(squareDraw(uniforms.key, queryBase(row) + QUERY_DRAWS + u32(ch)));
}
