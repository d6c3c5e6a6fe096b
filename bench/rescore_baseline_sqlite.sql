-- The baseline of bench/contacts_rescore.py on SQLite: one hand-written statement that computes
-- and writes every contact's score for the benchmark's rules (RULES in bench/contacts_data.py),
-- as docs/scoring.md and scoring/arithmetic.py define them: an event's age in whole seconds,
-- half-life factors 0.5^(age / half-life), expiry windows, caps on absolute values, group caps
-- (Profile 30, E-mail 25), fit and engagement rounded half up, a total limit of 100, grades
-- A/B/C (fit >= 40 / >= 20) and 1/2/3 (engagement >= 30 / >= 10).
-- Parameters (bound by name): now_epoch, seconds since 1970 (an integer); now, the time stamp
-- written to score_updated_at.
UPDATE contacts
SET fit_score = s.fit,
    engagement_score = s.engagement,
    score = CASE WHEN s.fit + s.engagement > 100 THEN 100 ELSE s.fit + s.engagement END,
    grade = (CASE WHEN s.fit >= 40 THEN 'A' WHEN s.fit >= 20 THEN 'B' ELSE 'C' END)
         || (CASE WHEN s.engagement >= 30 THEN '1' WHEN s.engagement >= 10 THEN '2' ELSE '3' END),
    score_updated_at = :now
FROM (
    SELECT c.id,
           CAST(floor(
               min(30, (CASE WHEN c.sector IN ('Industry', 'Retail', 'Banking & insurance', 'Software') THEN 15 ELSE 0 END)
                     + (CASE WHEN c.company_size IN ('201-500', '501-1000', '1000+') THEN 10 ELSE 0 END)
                     + (CASE WHEN c.maturity >= 3 THEN 10 ELSE 0 END))
               + (CASE WHEN c.job_title LIKE '%marketing%' THEN 15 ELSE 0 END)
               + (CASE WHEN c.job_title LIKE '%direct%' OR c.job_title LIKE '%head of%'
                        OR c.job_title LIKE '%cmo%' OR c.job_title LIKE '%dsi%'
                        OR c.job_title LIKE '%cio%' OR c.job_title LIKE '%ceo%' THEN 10 ELSE 0 END)
               + (CASE WHEN c.country IN ('FR', 'BE', 'CH', 'DE') THEN 10 ELSE 0 END)
               + (CASE WHEN c.email LIKE '%@mail.%' THEN -10 ELSE 0 END)
               + 0.5) AS INTEGER) AS fit,
           CAST(floor(
               min(25.0, min(10.0, 1 * coalesce(e.opened, 0)) + min(20.0, 5 * coalesce(e.clicked, 0)))
               + 15 * coalesce(e.webinars, 0)
               + min(24, 8 * coalesce(e.downloads, 0))
               + 10 * coalesce(e.forms, 0)
               + 25 * coalesce(e.meetings, 0)
               + min(9.0, 3 * coalesce(e.pricing, 0))
               + 0.5) AS INTEGER) AS engagement
    FROM contacts AS c
    LEFT JOIN (
        SELECT contact_id,
               total(CASE WHEN type = 'email_opened' THEN
                     CASE WHEN age <= 0 THEN 1.0 ELSE power(0.5, age / 2592000.0) END END) AS opened,
               total(CASE WHEN type = 'email_clicked' THEN
                     CASE WHEN age <= 0 THEN 1.0 ELSE power(0.5, age / 2592000.0) END END) AS clicked,
               count(CASE WHEN type = 'webinar_attended' AND age <= 15552000 THEN 1 END) AS webinars,
               count(CASE WHEN type = 'content_downloaded' THEN 1 END) AS downloads,
               count(CASE WHEN type = 'form_submitted' THEN 1 END) AS forms,
               count(CASE WHEN type = 'meeting' AND age <= 31536000 THEN 1 END) AS meetings,
               total(CASE WHEN type = 'page_visited' AND json_extract(properties, '$.path') = '/tarifs' THEN
                     CASE WHEN age <= 0 THEN 1.0 ELSE power(0.5, age / 1209600.0) END END) AS pricing
        FROM (
            SELECT contact_id, type, properties,
                   :now_epoch - unixepoch(substr(occurred_at, 1, 19)) AS age
            FROM contact_events
            WHERE type IN ('email_opened', 'email_clicked', 'webinar_attended', 'content_downloaded',
                           'form_submitted', 'meeting', 'page_visited')
        )
        GROUP BY contact_id
    ) AS e ON e.contact_id = c.id
) AS s
WHERE contacts.id = s.id
