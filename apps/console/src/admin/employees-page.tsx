import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useSession } from '../auth/session';
import { CreateEmployeeMutation, EmployeesQuery } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { AdminForm, ApiErrorMessage, Field } from './admin-form';
import { apiErrors } from './api-error';
import { useAdminAction } from './use-admin-action';
import { employeeProblems, hasProblems, type FormProblems } from './validation';

const ROLES = ['OPERATOR', 'ADMIN'] as const;
type Role = (typeof ROLES)[number];

/**
 * Employees and their roles. The identity API lists and creates employees (with a role and an initial
 * password); it has no operation to change a role or deactivate anyone, so the page offers neither.
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
            </tr>
          </thead>
          <tbody>
            {employees.map((employee) => (
              <tr key={employee.id} data-employee-id={employee.id}>
                <td>
                  {employee.name} {employee.id === me && <span className="muted">{t('emp.you')}</span>}
                </td>
                <td>{employee.email}</td>
                <td>{t(`emp.role.${employee.role}`)}</td>
                <td className={employee.active ? undefined : 'muted'}>{employee.active ? t('emp.active') : t('emp.inactive')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <NewEmployeeForm />
    </div>
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
