import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useSession } from '../auth/session';
import { ConfirmDialog } from '../details/confirm-dialog';
import {
  CreateEmployeeMutation,
  DeactivateEmployeeMutation,
  EmployeesQuery,
  ReactivateEmployeeMutation,
  UpdateEmployeeMutation,
  type EmployeeListRow,
} from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { AdminForm, ApiErrorMessage, Field } from './admin-form';
import { apiErrors } from './api-error';
import { useAdminAction } from './use-admin-action';
import { employeeProblems, hasProblems, type FormProblems } from './validation';

const ROLES = ['OPERATOR', 'ADMIN'] as const;
type Role = (typeof ROLES)[number];

/**
 * Employees and their roles: add one, change a role, deactivate or reactivate (each after a confirmation).
 * The identity API refuses demoting the last active admin and deactivating yourself; its words are shown.
 */
export function EmployeesPage() {
  const { t, tn } = useI18n();
  const me = useSession()?.employee.id;
  const [{ data, error, fetching }] = useQuery({ query: EmployeesQuery });
  const employees = data?.employees ?? [];
  return (
    <div className="admin-page">
      <section className="admin-section" aria-labelledby="employees-heading">
        <header className="admin-section__header">
          <h2 id="employees-heading">{t('admin.page.employees')}</h2>
          <span className="admin-section__count muted">{tn('emp.count', employees.length)}</span>
        </header>
        {error && <ApiErrorMessage errors={apiErrors(error)} />}
        {fetching && !data && <p className="muted">{t('admin.loading')}</p>}
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">{t('emp.name')}</th>
              <th scope="col">{t('emp.email')}</th>
              <th scope="col">{t('emp.role')}</th>
              <th scope="col">{t('emp.status')}</th>
              <th scope="col">{t('emp.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {employees.map((employee) => (
              <EmployeeItem key={employee.id} employee={employee} isMe={employee.id === me} />
            ))}
          </tbody>
        </table>
      </section>
      <NewEmployeeForm />
    </div>
  );
}

/** What the admin asked for and is confirming. */
type PendingChange = { kind: 'role'; role: Role } | { kind: 'deactivate' } | { kind: 'reactivate' };

function EmployeeItem({ employee, isMe }: { employee: EmployeeListRow; isMe: boolean }) {
  const { t } = useI18n();
  const [, update] = useMutation(UpdateEmployeeMutation);
  const [, deactivate] = useMutation(DeactivateEmployeeMutation);
  const [, reactivate] = useMutation(ReactivateEmployeeMutation);
  const action = useAdminAction();
  const [pending, setPending] = useState<PendingChange | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { name } = employee;

  const confirmText = (change: PendingChange) =>
    change.kind === 'role'
      ? t('emp.roleConfirm', { name, role: t(`emp.role.${change.role}`) })
      : change.kind === 'deactivate'
        ? t('emp.deactivateConfirm', { name })
        : t('emp.reactivateConfirm', { name });
  const apply = async (change: PendingChange) => {
    setPending(null);
    setDone(null);
    const data =
      change.kind === 'role'
        ? await action.run(() => update({ id: employee.id, input: { role: change.role } }))
        : change.kind === 'deactivate'
          ? await action.run(() => deactivate({ id: employee.id }))
          : await action.run(() => reactivate({ id: employee.id }));
    if (!data) return;
    setDone(change.kind === 'role' ? t('emp.roleChanged', { name, role: t(`emp.role.${change.role}`) }) : change.kind === 'deactivate' ? t('emp.deactivated', { name }) : t('emp.reactivated', { name }));
  };

  return (
    <tr data-employee-id={employee.id} data-active={employee.active}>
      <td>
        {name} {isMe && <span className="muted">{t('emp.you')}</span>}
      </td>
      <td>{employee.email}</td>
      <td>
        {/* Shows the saved role: a choice only takes effect once confirmed and accepted by the API. */}
        <select
          aria-label={t('emp.roleOf', { name })}
          value={employee.role}
          disabled={action.busy}
          onChange={(event) => setPending({ kind: 'role', role: event.target.value as Role })}
        >
          {ROLES.map((value) => (
            <option key={value} value={value}>
              {t(`emp.role.${value}`)}
            </option>
          ))}
        </select>
      </td>
      <td className={employee.active ? undefined : 'muted'}>{employee.active ? t('emp.active') : t('emp.inactive')}</td>
      <td>
        <div className="admin-table__buttons">
          {employee.active ? (
            // The API refuses deactivating yourself; the button says so before anyone tries.
            <button
              type="button"
              className="button button--danger"
              aria-label={t('emp.deactivateLabel', { name })}
              disabled={action.busy || isMe}
              title={isMe ? t('emp.cannotDeactivateSelf') : undefined}
              onClick={() => setPending({ kind: 'deactivate' })}
            >
              {t('emp.deactivate')}
            </button>
          ) : (
            <button type="button" className="button" aria-label={t('emp.reactivateLabel', { name })} disabled={action.busy} onClick={() => setPending({ kind: 'reactivate' })}>
              {t('emp.reactivate')}
            </button>
          )}
        </div>
        <ApiErrorMessage errors={action.errors} />
        {done && (
          <p className="success" role="status">
            {done}
          </p>
        )}
        {pending && (
          <ConfirmDialog
            message={confirmText(pending)}
            confirmLabel={t('emp.confirm')}
            cancelLabel={t('details.cancel')}
            onCancel={() => setPending(null)}
            onConfirm={() => void apply(pending)}
          />
        )}
      </td>
    </tr>
  );
}

function NewEmployeeForm() {
  const { t } = useI18n();
  const [, create] = useMutation(CreateEmployeeMutation);
  const action = useAdminAction();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('OPERATOR');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<FormProblems<'name' | 'email' | 'password'>>({});
  const [created, setCreated] = useState<string | null>(null);
  const submit = async () => {
    const found = employeeProblems({ name, email, password });
    setProblems(found);
    setCreated(null);
    if (hasProblems(found)) return;
    const data = await action.run(() => create({ input: { name: name.trim(), email: email.trim(), role, password } }));
    if (!data) return;
    setCreated(t('emp.created', { name: data.createEmployee.name }));
    setName('');
    setEmail('');
    setPassword('');
    setRole('OPERATOR');
  };
  return (
    <section className="admin-section" aria-labelledby="new-employee-heading">
      <h2 id="new-employee-heading">{t('emp.add')}</h2>
      <AdminForm label={t('emp.add')} submitLabel={t('emp.create')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()}>
        <Field label={t('emp.name')} problem={problems.name}>
          {(control) => <input {...control} value={name} maxLength={200} onChange={(event) => setName(event.target.value)} />}
        </Field>
        <Field label={t('emp.email')} problem={problems.email}>
          {(control) => <input {...control} type="email" autoComplete="off" value={email} onChange={(event) => setEmail(event.target.value)} />}
        </Field>
        <Field label={t('emp.role')}>
          {(control) => (
            <select {...control} value={role} onChange={(event) => setRole(event.target.value as Role)}>
              {ROLES.map((value) => (
                <option key={value} value={value}>
                  {t(`emp.role.${value}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('emp.password')} problem={problems.password}>
          {(control) => <input {...control} type="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} />}
        </Field>
      </AdminForm>
      {created && (
        <p className="success" role="status">
          {created}
        </p>
      )}
    </section>
  );
}
