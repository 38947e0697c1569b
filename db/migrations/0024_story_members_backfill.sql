-- Every story written before co-authors has its owner as its only member: give each one its owner row
-- (story_members mirrors stories.owner_id, see db/schema.ts).
INSERT INTO "story_members" ("story_id", "user_id", "role")
SELECT "id", "owner_id", 'owner' FROM "stories"
ON CONFLICT DO NOTHING;
