"""
Mutation check for the authorization matrix (tests/authorization.test.ts).

Copies the project to a temporary directory (node_modules symlinked), removes or weakens one authorization check at a
time in lib/stories (access.ts, actor.ts and every service function), runs the matrix there and reports whether a test
failed ("KILLED") or not ("SURVIVED"). The working tree is never modified.

  python3 tests/tools/auth-mutations.py                       # PGlite
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python3 tests/tools/auth-mutations.py   # faster
  ONLY="savePage" python3 tests/tools/auth-mutations.py       # a subset, by name
A mutation reported "cannot apply" means the code changed shape: update its search string.
"""
import subprocess, sys, os, shutil, tempfile, re
SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROOT = tempfile.mkdtemp(prefix="ss-auth-mutations-")
shutil.copytree(SRC, ROOT, dirs_exist_ok=True, symlinks=True,
                ignore=shutil.ignore_patterns("node_modules", ".git", ".next", ".data", "test-results", "playwright-report"))
os.symlink(os.path.join(SRC, "node_modules"), os.path.join(ROOT, "node_modules"))
TEST = sys.argv[1] if len(sys.argv) > 1 else "tests/authorization.test.ts"
M = []
def add(name, f, old, new, occ=None):
    M.append((name, f, old, new, occ))
A="lib/stories/access.ts"; P="lib/stories/pages.ts"; S="lib/stories/stories.ts"; R="lib/stories/revisions.ts"; ACT="lib/stories/actor.ts"
add("story: no ownership check", A, "if (!story || (story.ownerId !== actor.id && !canSeeEverything(actor)))", "if (!story)")
add("story: no existence check", A, "if (!story || (story.ownerId", "if ((story.ownerId")
add("story: admin not exempt", A, "(story.ownerId !== actor.id && !canSeeEverything(actor))", "(story.ownerId !== actor.id)")
add("story: owner not exempt", A, "(story.ownerId !== actor.id && !canSeeEverything(actor))", "(!canSeeEverything(actor))")
add("page: no ownership check", A, "if (!row || (row.story.ownerId !== actor.id && !canSeeEverything(actor)))", "if (!row)")
add("page: no existence check", A, "if (!row || (row.story", "if ((row.story")
add("page: admin not exempt", A, "row.story.ownerId !== actor.id && !canSeeEverything(actor)", "row.story.ownerId !== actor.id")
add("page: owner not exempt", A, "row.story.ownerId !== actor.id && !canSeeEverything(actor)", "!canSeeEverything(actor)")
add("page: deleted always visible", A, ".where(options.includeDeleted ? eq(pages.id, pageId) : and(eq(pages.id, pageId), isNull(pages.deletedAt)))", ".where(eq(pages.id, pageId))")
add("page: deleted never visible", A, ".where(options.includeDeleted ? eq(pages.id, pageId) : and(eq(pages.id, pageId), isNull(pages.deletedAt)))", ".where(and(eq(pages.id, pageId), isNull(pages.deletedAt)))")
add("requireActor lets null through", ACT, 'if (!actor) throw new AppError("UNAUTHENTICATED");', "")
add("canSeeEverything always true", ACT, 'return actor.role === "admin";', "return true;")
add("canSeeEverything always false", ACT, 'return actor.role === "admin";', "return false;")
for f, n in ((S,5),(P,7),(R,2)):
    for i in range(n):
        add(f"{os.path.basename(f)}: requireActor #{i} removed", f, "const actor = requireActor(actorOrNull);", "const actor = actorOrNull as Actor;", i)
add("listStories: no owner filter", S, ".where(canSeeEverything(actor) ? undefined : eq(stories.ownerId, actor.id))", "")
add("getStory: no loadOwnedStory", S, "return loadOwnedStory(await getDb(), actor, storyId);", "return (await (await getDb()).select().from(stories).where(eq(stories.id, storyId)))[0];")
add("updateStory: no loadOwnedStory", S, "await loadOwnedStory(db, actor, storyId);", "", 0)
add("deleteStory: no loadOwnedStory", S, "await loadOwnedStory(db, actor, storyId);", "", 1)
add("listPages: no loadOwnedStory", P, "await loadOwnedStory(db, actor, storyId);", "", 0)
add("addPage: no loadOwnedStory", P, "await loadOwnedStory(db, actor, storyId);", "", 1)
add("getPage: no loadOwnedPage", P, "return (await loadOwnedPage(await getDb(), actor, pageId)).page;", "return (await (await getDb()).select().from(pages).where(eq(pages.id, pageId)))[0];")
add("savePage: no loadOwnedPage", P, "const { page: current } = await loadOwnedPage(db, actor, pageId);", "const [current] = await db.select().from(pages).where(eq(pages.id, pageId));")
add("movePage: no loadOwnedPage", P, "const { page } = await loadOwnedPage(db, actor, pageId);", "const [page] = await db.select().from(pages).where(eq(pages.id, pageId));", 0)
add("deletePage: no loadOwnedPage", P, "const { page } = await loadOwnedPage(db, actor, pageId);", "const [page] = await db.select().from(pages).where(eq(pages.id, pageId));", 1)
add("undeletePage: no loadOwnedPage", P, "const { page } = await loadOwnedPage(db, actor, pageId, { includeDeleted: true });", "const [page] = await db.select().from(pages).where(eq(pages.id, pageId));")
add("listRevisions: no loadOwnedPage", R, "await loadOwnedPage(db, actor, pageId);", "", 0)
add("restoreRevision: no loadOwnedPage", R, "await loadOwnedPage(db, actor, pageId);", "", 1)
add("restoreRevision: revision not tied to page", R, "and(eq(pageRevisions.id, revisionId), eq(pageRevisions.pageId, pageId))", "eq(pageRevisions.id, revisionId)")
add("addPage: afterPageId not found -> append", P, 'if (index < 0) throw new AppError("NOT_FOUND", "The page to insert after no longer exists.");', "if (index < 0) {} else {")
only = os.environ.get("ONLY")
survivors = []
for name, f, old, new, occ in M:
    if only and only not in name: continue
    path = os.path.join(ROOT, f)
    orig = open(path).read()
    cnt = orig.count(old)
    if cnt == 0 or (occ is None and cnt != 1):
        print(f"!! cannot apply {name}: found {cnt}"); survivors.append(name+" (not applied)"); continue
    if occ is None:
        mutated = orig.replace(old, new)
    else:
        idx = -1
        for _ in range(occ+1): idx = orig.index(old, idx+1)
        mutated = orig[:idx] + new + orig[idx+len(old):]
    if "afterPageId not found" in name:
        mutated = mutated.replace("before = ordered[index]!.position;\n        after = ordered[index + 1]?.position ?? null;", "before = ordered[index]!.position;\n        after = ordered[index + 1]?.position ?? null; }")
    open(path, "w").write(mutated)
    try:
        r = subprocess.run(["npx", "vitest", "run", TEST], cwd=ROOT, capture_output=True, text=True, env={**os.environ}, timeout=600)
    finally:
        open(path, "w").write(orig)
    killed = r.returncode != 0
    m = re.search(r"Tests\s+(\d+) failed", re.sub(r"\x1b\[[0-9;]*m", "", r.stdout))
    if os.environ.get("SHOW"): print(re.sub(r"\x1b\[[0-9;]*m", "", r.stdout)[-3000:], r.stderr[-2000:])
    print(("KILLED  " if killed else "SURVIVED") + f"  {name}" + (f"  ({m.group(1)} failing)" if m else ""), flush=True)
    if not killed: survivors.append(name)
shutil.rmtree(ROOT, ignore_errors=True)
print("survivors:", survivors)
sys.exit(1 if survivors else 0)
