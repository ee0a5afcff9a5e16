-- Perfect Improvement, part 2: systemic problems with their action plans, links and timeline;
-- each response's attribute ratings; and the pairwise moments of outcomes and ratings by month,
-- team and touchpoint that key driver analysis reads. Instants are UTC microseconds; money is
-- in minor units of the organization's currency.

ALTER TABLE responses ADD COLUMN ratings TEXT NOT NULL DEFAULT '{}';

CREATE TABLE problems (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    root_cause TEXT,
    root_cause_category TEXT,
    driver TEXT,
    touchpoint_id BIGINT REFERENCES touchpoints (id) ON DELETE SET NULL,
    owner_team_id BIGINT NOT NULL REFERENCES teams (id),
    owner_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    effort_minor BIGINT,
    created_by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    solved_at BIGINT
);
CREATE INDEX problems_status ON problems (status);
CREATE INDEX problems_owner_team ON problems (owner_team_id);

CREATE TABLE problem_actions (
    id BIGSERIAL PRIMARY KEY,
    problem_id BIGINT NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    owner_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    due_at BIGINT,
    done_at BIGINT,
    escalation_level BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX problem_actions_problem ON problem_actions (problem_id);
CREATE INDEX problem_actions_open_due ON problem_actions (done_at, due_at);

-- A problem's links: kind 'case' or 'response' with the row's id as text (and as target_id,
-- for joins), or 'theme' with the theme's key (target_id NULL).
CREATE TABLE problem_links (
    problem_id BIGINT NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    target_id BIGINT,
    linked_by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (problem_id, kind, target)
);
CREATE INDEX problem_links_target ON problem_links (kind, target);

CREATE TABLE problem_events (
    id BIGSERIAL PRIMARY KEY,
    problem_id BIGINT NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    actor_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_label TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX problem_events_problem ON problem_events (problem_id, at);


-- Pairwise moments (domain::improvement::moments) by local month (year × 12 + month − 1), the
-- customer's client team (0 when none) and touchpoint. variable_a <= variable_b; the pair of a
-- variable with itself holds its own count and sums, and top_two its ratings of 4 or 5.
CREATE TABLE rollup_driver_monthly (
    month BIGINT NOT NULL,
    team_id BIGINT NOT NULL,
    touchpoint_id BIGINT NOT NULL,
    variable_a TEXT NOT NULL,
    variable_b TEXT NOT NULL,
    n BIGINT NOT NULL,
    sum_a BIGINT NOT NULL,
    sum_b BIGINT NOT NULL,
    sum_aa BIGINT NOT NULL,
    sum_bb BIGINT NOT NULL,
    sum_ab BIGINT NOT NULL,
    top_two BIGINT NOT NULL,
    PRIMARY KEY (month, team_id, touchpoint_id, variable_a, variable_b)
);
