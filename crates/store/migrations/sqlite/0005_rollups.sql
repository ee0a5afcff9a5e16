-- Dashboards read rollups kept current at ingest, never scans of raw responses. Each row holds
-- the additive measures (counts, sums, sums of squares) of the responses of one local day (days
-- since 1970-01-01 in the organization's time zone) and one combination of dimensions; 0 and ''
-- stand for "none". Start-up computes them from the responses when they are missing.

-- The customer's segment when the response arrived, so that rollups never depend on later edits.
ALTER TABLE responses ADD COLUMN segment TEXT;
UPDATE responses SET segment = (SELECT c.segment FROM customers c WHERE c.id = responses.customer_id);

CREATE TABLE rollup_daily (
    day INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    touchpoint_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    segment TEXT NOT NULL,
    responses INTEGER NOT NULL,
    csat_n INTEGER NOT NULL,
    csat_sum INTEGER NOT NULL,
    csat_sq INTEGER NOT NULL,
    csat_top2 INTEGER NOT NULL,
    nps_n INTEGER NOT NULL,
    promoters INTEGER NOT NULL,
    detractors INTEGER NOT NULL,
    ces_n INTEGER NOT NULL,
    ces_sum INTEGER NOT NULL,
    ces_sq INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    sentiment_n INTEGER NOT NULL,
    sentiment_milli_sum INTEGER NOT NULL,
    PRIMARY KEY (day, team_id, touchpoint_id, source, segment)
);

CREATE TABLE rollup_staff_daily (
    day INTEGER NOT NULL,
    staff_user_id INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    touchpoint_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    responses INTEGER NOT NULL,
    csat_n INTEGER NOT NULL,
    csat_sum INTEGER NOT NULL,
    csat_sq INTEGER NOT NULL,
    csat_top2 INTEGER NOT NULL,
    nps_n INTEGER NOT NULL,
    promoters INTEGER NOT NULL,
    detractors INTEGER NOT NULL,
    ces_n INTEGER NOT NULL,
    ces_sum INTEGER NOT NULL,
    ces_sq INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    sentiment_n INTEGER NOT NULL,
    sentiment_milli_sum INTEGER NOT NULL,
    PRIMARY KEY (day, staff_user_id, team_id, touchpoint_id, source)
);

CREATE TABLE rollup_theme_daily (
    day INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    touchpoint_id INTEGER NOT NULL,
    theme TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    sentiment_n INTEGER NOT NULL,
    sentiment_milli_sum INTEGER NOT NULL,
    PRIMARY KEY (day, team_id, touchpoint_id, theme)
);

-- The same by month (year × 12 + month − 1), so that long periods read a few thousand rows:
-- whole months from these, the days at either end from the daily tables.

CREATE TABLE rollup_monthly (
    month INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    touchpoint_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    segment TEXT NOT NULL,
    responses INTEGER NOT NULL,
    csat_n INTEGER NOT NULL,
    csat_sum INTEGER NOT NULL,
    csat_sq INTEGER NOT NULL,
    csat_top2 INTEGER NOT NULL,
    nps_n INTEGER NOT NULL,
    promoters INTEGER NOT NULL,
    detractors INTEGER NOT NULL,
    ces_n INTEGER NOT NULL,
    ces_sum INTEGER NOT NULL,
    ces_sq INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    sentiment_n INTEGER NOT NULL,
    sentiment_milli_sum INTEGER NOT NULL,
    PRIMARY KEY (month, team_id, touchpoint_id, source, segment)
);

CREATE TABLE rollup_staff_monthly (
    month INTEGER NOT NULL,
    staff_user_id INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    touchpoint_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    responses INTEGER NOT NULL,
    csat_n INTEGER NOT NULL,
    csat_sum INTEGER NOT NULL,
    csat_sq INTEGER NOT NULL,
    csat_top2 INTEGER NOT NULL,
    nps_n INTEGER NOT NULL,
    promoters INTEGER NOT NULL,
    detractors INTEGER NOT NULL,
    ces_n INTEGER NOT NULL,
    ces_sum INTEGER NOT NULL,
    ces_sq INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    sentiment_n INTEGER NOT NULL,
    sentiment_milli_sum INTEGER NOT NULL,
    PRIMARY KEY (month, staff_user_id, team_id, touchpoint_id, source)
);

CREATE TABLE rollup_theme_monthly (
    month INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    touchpoint_id INTEGER NOT NULL,
    theme TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    sentiment_n INTEGER NOT NULL,
    sentiment_milli_sum INTEGER NOT NULL,
    PRIMARY KEY (month, team_id, touchpoint_id, theme)
);

-- And by Monday-based week (days since 1970-01-01 plus 3, divided by 7), for the days of a long
-- period that are not in one of its whole months.

CREATE TABLE rollup_weekly (
    week INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    touchpoint_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    segment TEXT NOT NULL,
    responses INTEGER NOT NULL,
    csat_n INTEGER NOT NULL,
    csat_sum INTEGER NOT NULL,
    csat_sq INTEGER NOT NULL,
    csat_top2 INTEGER NOT NULL,
    nps_n INTEGER NOT NULL,
    promoters INTEGER NOT NULL,
    detractors INTEGER NOT NULL,
    ces_n INTEGER NOT NULL,
    ces_sum INTEGER NOT NULL,
    ces_sq INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    sentiment_n INTEGER NOT NULL,
    sentiment_milli_sum INTEGER NOT NULL,
    PRIMARY KEY (week, team_id, touchpoint_id, source, segment)
);

CREATE TABLE rollup_staff_weekly (
    week INTEGER NOT NULL,
    staff_user_id INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    touchpoint_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    responses INTEGER NOT NULL,
    csat_n INTEGER NOT NULL,
    csat_sum INTEGER NOT NULL,
    csat_sq INTEGER NOT NULL,
    csat_top2 INTEGER NOT NULL,
    nps_n INTEGER NOT NULL,
    promoters INTEGER NOT NULL,
    detractors INTEGER NOT NULL,
    ces_n INTEGER NOT NULL,
    ces_sum INTEGER NOT NULL,
    ces_sq INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    sentiment_n INTEGER NOT NULL,
    sentiment_milli_sum INTEGER NOT NULL,
    PRIMARY KEY (week, staff_user_id, team_id, touchpoint_id, source)
);

CREATE TABLE rollup_theme_weekly (
    week INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    touchpoint_id INTEGER NOT NULL,
    theme TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    sentiment_n INTEGER NOT NULL,
    sentiment_milli_sum INTEGER NOT NULL,
    PRIMARY KEY (week, team_id, touchpoint_id, theme)
);

CREATE INDEX rollup_staff_daily_staff ON rollup_staff_daily (staff_user_id, day);
CREATE INDEX rollup_staff_monthly_staff ON rollup_staff_monthly (staff_user_id, month);
CREATE INDEX rollup_staff_weekly_staff ON rollup_staff_weekly (staff_user_id, week);

-- Invitations by the local day they were issued: how many, and how many of those were answered.
CREATE TABLE rollup_invitations_daily (
    day INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    touchpoint_id INTEGER NOT NULL,
    issued INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    PRIMARY KEY (day, team_id, touchpoint_id)
);
