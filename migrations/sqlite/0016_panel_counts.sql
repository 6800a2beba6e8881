-- The dashboard's running counts per panel (issue 18): the insight page shows one panel's
-- funnel and make-up. Recruit cells are recounted with their panel; funnel events take
-- their batch's panel (events without a card belonged to the one panel there was).
DELETE FROM recruit_tally;
ALTER TABLE recruit_tally ADD COLUMN panel_id INTEGER NOT NULL DEFAULT 1;
INSERT INTO recruit_tally (status, age_band, ethnic_group, ethnic_detail, sex, panel_id, n)
SELECT r.status, r.age_band, e.ethnic_group, e.ethnic_detail, e.sex, r.panel_id, COUNT(*)
FROM recruits r LEFT JOIN recruit_equality e ON e.recruit_id = r.id
GROUP BY r.status, r.age_band, e.ethnic_group, e.ethnic_detail, e.sex, r.panel_id;

ALTER TABLE signup_events ADD COLUMN panel_id INTEGER NOT NULL DEFAULT 1;
UPDATE signup_events SET panel_id = (SELECT b.panel_id FROM card_batches b WHERE b.id = signup_events.batch_id)
 WHERE batch_id IS NOT NULL;
CREATE INDEX signup_events_by_panel ON signup_events (panel_id, kind);
