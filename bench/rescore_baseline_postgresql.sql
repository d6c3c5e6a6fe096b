-- The baseline of bench/contacts_rescore.py on PostgreSQL: one hand-written statement that
-- computes and writes every contact's score for the benchmark's rules (RULES in
-- bench/contacts_data.py), as docs/scoring.md and scoring/arithmetic.py define them: an event's
-- age in whole seconds, half-life factors 0.5^(age / half-life) in double precision, expiry
-- windows, caps on absolute values, group caps (Profile 30, E-mail 25), fit and engagement
-- rounded half up, a total limit of 100, grades A/B/C (fit >= 40 / >= 20) and 1/2/3
-- (engagement >= 30 / >= 10).
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
           floor(
               LEAST(30, (CASE WHEN c.sector IN ('Industry', 'Retail', 'Banking & insurance', 'Software') THEN 15 ELSE 0 END)
                       + (CASE WHEN c.company_size IN ('201-500', '501-1000', '1000+') THEN 10 ELSE 0 END)
                       + (CASE WHEN c.maturity >= 3 THEN 10 ELSE 0 END))
               + (CASE WHEN lower(c.job_title) LIKE '%marketing%' THEN 15 ELSE 0 END)
               + (CASE WHEN lower(c.job_title) LIKE ANY (ARRAY['%direct%', '%head of%', '%cmo%',
                                                               '%dsi%', '%cio%', '%ceo%'])
                       THEN 10 ELSE 0 END)
               + (CASE WHEN c.country IN ('FR', 'BE', 'CH', 'DE') THEN 10 ELSE 0 END)
               + (CASE WHEN c.email LIKE '%@mail.%' THEN -10 ELSE 0 END)
               + 0.5)::integer AS fit,
           floor(
               LEAST(25.0::float8, LEAST(10.0::float8, 1 * coalesce(e.opened, 0))
                                 + LEAST(20.0::float8, 5 * coalesce(e.clicked, 0)))
               + 15 * coalesce(e.webinars, 0)
               + LEAST(24, 8 * coalesce(e.downloads, 0))
               + 10 * coalesce(e.forms, 0)
               + 25 * coalesce(e.meetings, 0)
               + LEAST(9.0::float8, 3 * coalesce(e.pricing, 0))
               + 0.5::float8)::integer AS engagement
    FROM contacts AS c
    LEFT JOIN (
        SELECT contact_id,
               sum(CASE WHEN age <= 0 THEN 1.0::float8 ELSE power(0.5::float8, age / 2592000.0::float8) END)
                   FILTER (WHERE type = 'email_opened') AS opened,
               sum(CASE WHEN age <= 0 THEN 1.0::float8 ELSE power(0.5::float8, age / 2592000.0::float8) END)
                   FILTER (WHERE type = 'email_clicked') AS clicked,
               count(*) FILTER (WHERE type = 'webinar_attended' AND age <= 15552000) AS webinars,
               count(*) FILTER (WHERE type = 'content_downloaded') AS downloads,
               count(*) FILTER (WHERE type = 'form_submitted') AS forms,
               count(*) FILTER (WHERE type = 'meeting' AND age <= 31536000) AS meetings,
               sum(CASE WHEN age <= 0 THEN 1.0::float8 ELSE power(0.5::float8, age / 1209600.0::float8) END)
                   FILTER (WHERE type = 'page_visited' AND properties ->> 'path' = '/tarifs') AS pricing
        FROM (
            SELECT contact_id, type, properties,
                   (:now_epoch - floor(extract(epoch FROM occurred_at)))::float8 AS age
            FROM contact_events
            WHERE type IN ('email_opened', 'email_clicked', 'webinar_attended', 'content_downloaded',
                           'form_submitted', 'meeting', 'page_visited')
        ) AS aged
        GROUP BY contact_id
    ) AS e ON e.contact_id = c.id
) AS s
WHERE contacts.id = s.id
