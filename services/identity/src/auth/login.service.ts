import { Inject, Injectable } from '@nestjs/common';
import { AuthenticationError, ForbiddenError, RateLimitExceededError, signAccessToken, type RateLimiter } from '@switchboard/service-kit';
import { DataSource } from 'typeorm';
import { toEmployee, type Employee } from '../employees/employee.entity';
import { EmployeeRepository } from '../employees/employee.repository';
import { IDENTITY_CONFIG, IDENTITY_RATE_LIMITER } from '../identity.tokens';
import type { IdentityConfig } from '../identity.config';
import { IdentityMetrics } from '../identity.metrics';
import { LOCKOUT_SECONDS, LOGIN_ATTEMPTS_PER_EMAIL, MAX_FAILED_LOGINS, WRONG_CREDENTIALS_MESSAGE } from './login-policy.constant';
import { PasswordHasher } from './password-hasher';

export interface LoginResult {
  accessToken: string;
  expiresAt: Date;
  employee: Employee;
}

/**
 * Email + password -> access token. Wrong email and wrong password fail alike (same message, same
 * argon2 work); repeated failures lock the account for a while.
 */
@Injectable()
export class LoginService {
  private readonly employees: EmployeeRepository;

  constructor(
    dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly metrics: IdentityMetrics,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(IDENTITY_RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {
    this.employees = new EmployeeRepository(dataSource);
  }

  async login(input: { email: string; password: string }): Promise<LoginResult> {
    // Counted before anything else, unknown emails too, so over the limit no argon2 work is done at all.
    const emailKey = input.email.trim().toLowerCase();
    const budget = await this.limiter.hit(LOGIN_ATTEMPTS_PER_EMAIL, emailKey);
    if (!budget.allowed) {
      this.metrics.logins.inc({ outcome: 'rate_limited' });
      throw new RateLimitExceededError(LOGIN_ATTEMPTS_PER_EMAIL, budget.retryAfterSeconds);
    }
    const employee = await this.employees.findByEmail(input.email);
    // Deactivated employees are treated as unknown: they must not learn more than a stranger.
    if (!employee || !employee.active) {
      await this.hasher.verifyDummy(input.password);
      this.metrics.logins.inc({ outcome: 'wrong_credentials' });
      throw new AuthenticationError(WRONG_CREDENTIALS_MESSAGE);
    }
    // While locked, the password is not even checked: guessing must not go on behind the lock.
    if (employee.lockedUntil && employee.lockedUntil.getTime() > Date.now()) {
      this.metrics.logins.inc({ outcome: 'locked' });
      throw lockedError(employee.lockedUntil);
    }
    if (!(await this.hasher.verify(employee.passwordHash, input.password))) {
      // The attempt that reaches the limit still answers "wrong"; the next one, while locked, says so.
      await this.employees.recordFailedLogin(employee.id, { maxFailures: MAX_FAILED_LOGINS, lockSeconds: LOCKOUT_SECONDS });
      this.metrics.logins.inc({ outcome: 'wrong_credentials' });
      throw new AuthenticationError(WRONG_CREDENTIALS_MESSAGE);
    }
    await this.employees.clearFailedLogins(employee.id);
    // The right password proves the owner: their own typos earlier in the window must not lock them out later.
    await this.limiter.reset(LOGIN_ATTEMPTS_PER_EMAIL, emailKey);
    const ttlSeconds = this.config.ACCESS_TOKEN_TTL_SECONDS;
    // jose stamps whole seconds, so floor the same way to report the exact expiry of the token.
    const issuedAtMs = Math.floor(Date.now() / 1000) * 1000;
    const accessToken = await signAccessToken(
      { employeeId: employee.id, role: employee.role, name: employee.name },
      { secret: this.config.JWT_SECRET, ttlSeconds },
    );
    this.metrics.logins.inc({ outcome: 'success' });
    return { accessToken, expiresAt: new Date(issuedAtMs + ttlSeconds * 1000), employee: toEmployee(employee) };
  }
}

function lockedError(lockedUntil: Date): ForbiddenError {
  return new ForbiddenError(`Too many failed logins; try again after ${lockedUntil.toISOString()}`);
}
