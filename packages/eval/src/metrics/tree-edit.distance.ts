/**
 * Ordered tree edit distance (Zhang & Shasha 1989) with unit insert/delete costs and a caller-given
 * rename cost. TEDS (Zhong et al. 2020) uses APTED; both compute the same optimal distance, and
 * Zhang–Shasha is simpler and fast enough for table trees, which are shallow (table → tr → td): its
 * cost is O(|A|·|B|·min(depthA, leavesA)·min(depthB, leavesB)), about |A|·|B|·9 here.
 */

export interface TreeNode<T> {
  value: T;
  children: TreeNode<T>[];
}

interface Flat<T> {
  /** Node values in post-order, 1-based (index 0 unused). */
  nodes: T[];
  /** Post-order index of the left-most leaf of each node's subtree, 1-based. */
  lml: Int32Array;
  keyroots: number[];
}

function flatten<T>(root: TreeNode<T>): Flat<T> {
  const nodes: T[] = [undefined as unknown as T];
  const lmlList: number[] = [0];
  // Iterative post-order so very wide/deep inputs cannot overflow the stack.
  const stack: { node: TreeNode<T>; next: number; lml: number }[] = [{ node: root, next: 0, lml: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.next < top.node.children.length) {
      stack.push({ node: top.node.children[top.next++], next: 0, lml: 0 });
      continue;
    }
    stack.pop();
    nodes.push(top.node.value);
    const idx = nodes.length - 1;
    const lml = top.node.children.length === 0 ? idx : top.lml;
    lmlList.push(lml);
    const parent = stack[stack.length - 1];
    // The first child finished sets the parent's left-most leaf.
    if (parent && parent.next === 1) parent.lml = lml;
  }
  const n = nodes.length - 1;
  const lml = Int32Array.from(lmlList);
  // Key roots: for each distinct left-most leaf, the highest node having it (largest post-order index).
  const seen = new Map<number, number>();
  for (let i = 1; i <= n; i++) seen.set(lml[i], i);
  const keyroots = [...seen.values()].sort((a, b) => a - b);
  return { nodes, lml, keyroots };
}

export interface EditCosts<T> {
  insert(node: T): number;
  remove(node: T): number;
  rename(a: T, b: T): number;
}

/** Minimum cost of turning tree `a` into tree `b`. */
export function treeEditDistance<T>(a: TreeNode<T>, b: TreeNode<T>, costs: EditCosts<T>): number {
  const A = flatten(a);
  const B = flatten(b);
  const n = A.nodes.length - 1;
  const m = B.nodes.length - 1;
  const W = m + 1;
  const td = new Float64Array((n + 1) * W);
  const fd = new Float64Array((n + 1) * W);
  const del = new Float64Array(n + 1);
  const ins = new Float64Array(m + 1);
  for (let i = 1; i <= n; i++) del[i] = costs.remove(A.nodes[i]);
  for (let j = 1; j <= m; j++) ins[j] = costs.insert(B.nodes[j]);

  for (const i of A.keyroots) {
    for (const j of B.keyroots) {
      const li = A.lml[i];
      const lj = B.lml[j];
      // fd is indexed with offsets so that row li-1 / column lj-1 stand for the empty forest.
      fd[(li - 1) * W + (lj - 1)] = 0;
      for (let x = li; x <= i; x++) fd[x * W + (lj - 1)] = fd[(x - 1) * W + (lj - 1)] + del[x];
      for (let y = lj; y <= j; y++) fd[(li - 1) * W + y] = fd[(li - 1) * W + (y - 1)] + ins[y];
      for (let x = li; x <= i; x++) {
        const lx = A.lml[x];
        for (let y = lj; y <= j; y++) {
          const ly = B.lml[y];
          const dCost = fd[(x - 1) * W + y] + del[x];
          const iCost = fd[x * W + (y - 1)] + ins[y];
          if (lx === li && ly === lj) {
            const r = fd[(x - 1) * W + (y - 1)] + costs.rename(A.nodes[x], B.nodes[y]);
            const v = Math.min(dCost, iCost, r);
            fd[x * W + y] = v;
            td[x * W + y] = v;
          } else {
            const r = fd[(lx - 1) * W + (ly - 1)] + td[x * W + y];
            fd[x * W + y] = Math.min(dCost, iCost, r);
          }
        }
      }
    }
  }
  return td[n * W + m];
}

export function countNodes<T>(root: TreeNode<T>): number {
  let n = 0;
  const stack = [root];
  while (stack.length) {
    const t = stack.pop() as TreeNode<T>;
    n++;
    for (const c of t.children) stack.push(c);
  }
  return n;
}
