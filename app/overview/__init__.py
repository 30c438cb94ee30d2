"""What a user looks at across features, assembled by selectors: a project's
page, the portfolios (yours and a team's), the week in review, and the
projects API that ranks like the portfolio. The top layer: it reads every
feature below it, and none of them imports it."""
