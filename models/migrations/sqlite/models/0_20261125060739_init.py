from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "job" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "kind" VARCHAR(64) NOT NULL,
    "payload" JSON NOT NULL,
    "status" VARCHAR(16) NOT NULL /* PENDING: pending\nRUNNING: running\nDONE: done\nDEAD: dead */,
    "attempts" INT NOT NULL,
    "max_attempts" INT NOT NULL,
    "run_at" TIMESTAMP NOT NULL,
    "dedupe_key" VARCHAR(128) UNIQUE,
    "locked_by" VARCHAR(64),
    "locked_until" TIMESTAMP,
    "last_error" TEXT,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "finished_at" TIMESTAMP
) /* One unit of deferred work. */;
CREATE INDEX IF NOT EXISTS "idx_job_status_920a13" ON "job" ("status", "run_at");
CREATE TABLE IF NOT EXISTS "job_run" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "attempt" INT NOT NULL,
    "worker" VARCHAR(64) NOT NULL,
    "started_at" TIMESTAMP NOT NULL,
    "finished_at" TIMESTAMP,
    "outcome" VARCHAR(16) /* DONE: done\nRETRY: retry\nDEAD: dead\nLOST: lost */,
    "error" TEXT,
    "job_id" BIGINT NOT NULL REFERENCES "job" ("id") ON DELETE CASCADE
) /* One attempt at a job, for operators and for proving a job ran once. */;
CREATE TABLE IF NOT EXISTS "wechat_user" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "openid" VARCHAR(64) NOT NULL,
    "channel" VARCHAR(8) NOT NULL,
    "unionid" VARCHAR(64),
    "subscribed" INT NOT NULL,
    "subscribed_at" TIMESTAMP,
    "unsubscribed_at" TIMESTAMP,
    "last_scene" VARCHAR(64),
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_wechat_user_channel_a8b360" UNIQUE ("channel", "openid")
) /* One openid of the official account (or of the mini-program, channel ``mp``). */;
CREATE INDEX IF NOT EXISTS "idx_wechat_user_unionid_c74606" ON "wechat_user" ("unionid");
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztW21z2jgQ/isaf0pn0gwhhHCZm5uBhKS0CXQIufaadhxhC/BhS64sN2F6+e8nyTZ+J0"
    "CAAOETsNq1peeRVrsr8VuxiI5M5+Aj6Sqn4LeCoYX4l6h4HyjQtkOhEDDYNaXev75C12EU"
    "aoyLetB0EBfpyNGoYTODYKHYwgi42GCA9ICOeohSpIMHQocHwl4nGn+AgfvPq/KWny5SGe"
    "kjNkCUG9z94GID6+gROeLnneIwyFzZUepiFTLlh1Cxh2rPQKYeG6ihCzUpV9nIlrKa0W9g"
    "diF1Ree6qkZM18Khvj1iA4LHBgZmQtpHGFHIkHgDo65AAbum6WMVAOMNIFTxeh6x4WOGri"
    "mwFNZeB0KZoqrNVke9qXdUVUnhHFhE8PRFGsGCI95VRwLQF114/0exeHR0UiwclSvHpZOT"
    "40qhwnVlf9NNJ09eZ0K0vEdJzBqXjWZHdIjwieBNDiF4kjaQQc9KEhSiP+SDT+N/NoA0G/"
    "1AP4E/H1gS/wDtSQQEgpCBcPKuggILPqomwn024D/LpQno/l1tn32otvfKpXdxiJt+S1E2"
    "CbBDcG04MgnMwPfjTauZjW/EJAGxbmgM/AdMw0lN9UVBrfzZc7EmUARd1zCZgZ0D8dq/lC"
    "URMAFwAZF4suU4P80o0HvX1a9JDs6uWjUJGXFYn8qnyAfUEoSEbik93+vYtSQnDd5FiDWU"
    "4ia0Xt3sV2yEdQHhbAwon+vN80bz8hT49t9x+7bZlBLukbGUnLea9VOgE4z493r1nH9H3t"
    "SbdekclqdYOofl3KUjmuJMQcaQZbMMrnI3hqjJ89vDoggqLHd7KB6WTkqVo3JpvCuMJZM2"
    "g8DxR+IJztccoCbNVgdsZUOA9QOcFKTnHA9mWCgb19Aq6eZ9s4PgywbuqxPw6zSu6zed6v"
    "XnmG8/r3bqoqUopaOEdC/pOMYPAV8anQ9A/ATfuDNLbgFjvc43RfQJuoyomDyoUI9iEogD"
    "UYxeHemujdQhGs0SJsWt5tou/Fh0TYLVuLsvVqbx98VKvsMXbfF1ZBJtiHS1OxPOMaOFwL"
    "zlIakPmIuZYc7qs5K2C/Bca4b+NjkuEzpM5ak7oWmeO+gxZ7+PW23DiprEaf1rZ3KOMab0"
    "qtW8DNSTiUd8hWkUCWzmiAnillsYFyh8gHoLmyN/lmzIcvMn9MTV5tr6nKzHLXesrwvrGU"
    "7W733Ies/AhjOYi/aE6W4vXR+avdUtCta9YaRoKgRdqA0fINXVWEssGczIrmu+1cWnNjKh"
    "BDJNeVjwb7t4A5f5UzDDA2mwYARupEjykEw3WUUrKYEY9uWQxLvFm+JoZR+c+DhOPDtRqa"
    "801fmJXwnhnwACbr0PeoQCYgueCHUAxLqU2JT84lh5SoBCDAjWUPZBywKe+fyJzO70ZS1P"
    "X3zuZy9yrrYUt3weFlaNE6eUKCPjyS8hhBa7M60pCggOg3S+QDduuYWB7qZHPLvI9u3xTF"
    "ymEY+EeY5EI+ZrXCtSoied7Xqn/c8poIjRUfTc8zu+at10ToFJvAP21z8Dnbl4t6vbvaBu"
    "J5KBWaPh0GabgrEVBMWp5DrGQ5qEC0KR0cef0Cjlj3LT6A0kIC+H5mIKH8bpW2Te8ZHz8S"
    "Lm+ezqzVn1vK485ZcqlpmMf0F802C3jsxAUwl5pHV/UlL+gDSup7qB4lSJOU+XsaGL+4o8"
    "AeYfPUMzoAmgphEXM7AnMmqvzeLRyXueS/cptPYBfxXGyAT395Z9f/8uO0Nf5MMzUvU7xV"
    "eUfMp3edcld/n7Oriq/Qn5u89WZvCUjX9oscs2p8g2IytjWoQjJiu8pkegshKIp7l4kX/t"
    "InXpgg+SzDiDIyZLCjNf72LLEsolblf0q4uy/DQhJoI4p1oSM0wg3eWWy5rKY8lqY/paq3"
    "UVi+lrjWTQfntdq/MUSqLPlQwW89JZmM9TpUoa7+oX61y/cPGL2M4w3/G9znzL+0mOxvGf"
    "Zc+KW21DdWTpgdfuFtOW3WfZ3WJ6i6zn3WKa4XbLMktGVUQNbaBklIv8lv1JpSIY6jxXJc"
    "rnecGXJ95K5eWFJ/b5NZVfiDr+Dalpt/eIyRZWVYrHx1Ps7lwrd3uXbYn/1/FFNQPCvvoW"
    "ontYKExzblco5B/cibZE9EQwQzhjE83/42/EZPV//H2d5GNhf/F91c3s6X9eWfGB"
)
