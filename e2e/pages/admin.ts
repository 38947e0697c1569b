import { expect, type Locator, type Page } from "@playwright/test";
import { AppShell } from "./app-shell";

/** The admin's job history: filters, status counts, rows and paging. */
export class AdminJobsPage extends AppShell {
  readonly table: Locator;
  readonly rows: Locator;
  readonly filtersError: Locator;
  readonly nextPage: Locator;
  readonly prevPage: Locator;

  constructor(page: Page) {
    super(page);
    this.table = page.getByTestId("jobs-table");
    this.rows = page.getByTestId("job-row");
    this.filtersError = page.getByTestId("filters-error");
    this.nextPage = page.getByTestId("page-next");
    this.prevPage = page.getByTestId("page-prev");
  }

  async goto(query: Record<string, string> = {}): Promise<void> {
    const search = new URLSearchParams(query).toString();
    await this.page.goto(`/admin/jobs${search ? `?${search}` : ""}`);
  }

  /** Fills the filters given and applies them (no waiting: a refused filter stays on the page). */
  async filter(filters: { user?: string; status?: string; type?: string; jobId?: string }): Promise<void> {
    if (filters.user !== undefined) await this.page.getByTestId("filter-user").fill(filters.user);
    if (filters.status !== undefined) await this.page.getByTestId("filter-status").selectOption(filters.status);
    if (filters.type !== undefined) await this.page.getByTestId("filter-type").selectOption(filters.type);
    if (filters.jobId !== undefined) await this.page.getByTestId("filter-job-id").fill(filters.jobId);
    await this.page.getByTestId("filter-apply").click();
  }

  count(status: string): Locator {
    return this.page.getByTestId(`count-${status}`);
  }

  row(index: number): Locator {
    return this.rows.nth(index);
  }

  async expectRowJob(index: number, jobId: string): Promise<void> {
    await expect(this.row(index)).toHaveAttribute("data-job-id", jobId);
  }

  /** Opens the job of a row and waits for its detail page; returns the job's id. */
  async openRow(index: number): Promise<string> {
    const jobId = (await this.row(index).getAttribute("data-job-id"))!;
    await this.row(index).getByTestId("job-link").click();
    await this.page.waitForURL(new RegExp(`/admin/jobs/${jobId}$`));
    return jobId;
  }
}

/** One job as the admin sees it: prompt, output, engine steps, retry and the links between retries. */
export class AdminJobDetailPage extends AppShell {
  readonly jobId: Locator;
  readonly status: Locator;
  readonly renderedPrompt: Locator;
  readonly output: Locator;
  readonly steps: Locator;
  readonly retryOf: Locator;
  readonly retriedAs: Locator;

  constructor(page: Page) {
    super(page);
    this.jobId = page.getByTestId("job-id");
    this.status = page.getByTestId("job-status").first();
    this.renderedPrompt = page.getByTestId("job-rendered-prompt");
    this.output = page.getByTestId("job-output").locator("pre");
    this.steps = page.getByTestId("job-step");
    this.retryOf = page.getByTestId("job-retry-of");
    this.retriedAs = page.getByTestId("job-retried-as");
  }

  async goto(jobId: string): Promise<void> {
    await this.page.goto(`/admin/jobs/${jobId}`);
  }

  /** Retries the job and waits for the new job's page; returns the new job's id. */
  async retry(oldId: string): Promise<string> {
    await this.page.getByTestId("job-retry").click();
    await this.page.waitForURL(
      (url) => /\/admin\/jobs\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(oldId),
    );
    return this.page.url().split("/").pop()!;
  }

  /** Follows the "retry of" link to the job this one repeats. */
  async openRetryOf(oldId: string): Promise<void> {
    await this.retryOf.click();
    await this.page.waitForURL(new RegExp(`/admin/jobs/${oldId}$`));
  }

  /** Reloads the job until its status is `status` (the detail page does not update itself). */
  async expectStatusEventually(jobId: string, status: string, options: { timeout: number }): Promise<void> {
    await expect
      .poll(async () => {
        await this.goto(jobId);
        return this.status.textContent();
      }, options)
      .toBe(status);
  }
}

/** One user on /admin/users: their budgets and usage. */
export class AdminUserRow {
  readonly tokenBudget: Locator;
  readonly error: Locator;
  readonly usage: Locator;
  readonly status: Locator;

  constructor(readonly root: Locator) {
    this.tokenBudget = root.getByTestId("admin-user-token-budget");
    this.error = root.getByTestId("admin-user-error");
    this.usage = root.getByTestId("admin-user-usage");
    this.status = root.getByRole("status");
  }

  /** Types a daily token budget (blank = the server default) and saves it. */
  async setTokenBudget(value: string): Promise<void> {
    await this.tokenBudget.fill(value);
    await this.root.getByTestId("admin-user-save").click();
  }
}

/** Users and their AI budgets. */
export class AdminUsersPage extends AppShell {
  async goto(): Promise<void> {
    await this.navigate("admin-users");
  }

  row(email: string): AdminUserRow {
    return new AdminUserRow(this.page.getByTestId("admin-user-row").filter({ hasText: email }));
  }
}

/** Usage over time, per user and per story. */
export class AdminUsagePage extends AppShell {
  readonly totals: Locator;

  constructor(page: Page) {
    super(page);
    this.totals = page.getByTestId("usage-totals");
  }

  async goto(): Promise<void> {
    await this.page.goto("/admin/usage");
  }
}
