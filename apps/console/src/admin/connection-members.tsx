import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConnectionMembersQuery, EmployeesQuery, SetConnectionMembersMutation } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { AdminForm, ApiErrorMessage } from './admin-form';
import { apiErrors } from './api-error';
import { useAdminAction } from './use-admin-action';

/**
 * Who works a connection (the chat service's member list): members see its chats, the unassigned ones
 * too. The admin ticks active employees and saves the whole list (setConnectionMembers replaces it).
 */
export function ConnectionMembers({ connectionId, name }: { connectionId: string; name: string }) {
  const { t } = useI18n();
  const [{ data, error, fetching }] = useQuery({ query: ConnectionMembersQuery, variables: { connectionId } });
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const members = data?.connectionMembers.members ?? [];
  return (
    <div className="connection-members" data-members-of={connectionId}>
      {error && (
        <div>
          <p className="error">{t('members.unavailable')}</p>
          <ApiErrorMessage errors={apiErrors(error)} />
        </div>
      )}
      {fetching && !data && <span className="muted">{t('admin.loading')}</span>}
      {data && (
        <ul className="connection-members__list" aria-label={t('members.formLabel', { name })}>
          {members.length === 0 && <li className="muted">{t('members.none')}</li>}
          {members.map((member) => (
            <li key={member.id} className={member.active ? undefined : 'muted'}>
              {member.name}
            </li>
          ))}
        </ul>
      )}
      {data && !editing && (
        <button
          type="button"
          className="button"
          aria-label={t('members.editLabel', { name })}
          onClick={() => {
            setSaved(null);
            setEditing(true);
          }}
        >
          {t('members.edit')}
        </button>
      )}
      {editing && (
        <MembersForm
          connectionId={connectionId}
          name={name}
          current={members.map((member) => member.id)}
          onSaved={() => {
            setEditing(false);
            setSaved(t('members.saved', { name }));
          }}
          onCancel={() => setEditing(false)}
        />
      )}
      {saved && (
        <p className="success" role="status">
          {saved}
        </p>
      )}
    </div>
  );
}

function MembersForm(props: { connectionId: string; name: string; current: readonly string[]; onSaved(): void; onCancel(): void }) {
  const { t } = useI18n();
  const [{ data, error }] = useQuery({ query: EmployeesQuery });
  const [, setMembers] = useMutation(SetConnectionMembersMutation);
  const action = useAdminAction();
  // The API accepts active employees only: a deactivated member is offered no box and is dropped on save.
  const employees = (data?.employees ?? []).filter((employee) => employee.active);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(props.current));
  const toggle = (id: string, on: boolean) =>
    setChosen((before) => {
      const next = new Set(before);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const submit = async () => {
    const employeeIds = employees.filter((employee) => chosen.has(employee.id)).map((employee) => employee.id);
    const saved = await action.run(() => setMembers({ connectionId: props.connectionId, employeeIds }));
    if (saved) props.onSaved();
  };
  return (
    <AdminForm label={t('members.formLabel', { name: props.name })} submitLabel={t('admin.save')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()} onCancel={props.onCancel}>
      <p className="muted">{t('members.hint')}</p>
      {error && <ApiErrorMessage errors={apiErrors(error)} />}
      {data && employees.length === 0 && <p className="muted">{t('members.noEmployees')}</p>}
      {employees.map((employee) => (
        <label key={employee.id} className="admin-form__check">
          <input type="checkbox" checked={chosen.has(employee.id)} onChange={(event) => toggle(employee.id, event.target.checked)} />
          {employee.name}
        </label>
      ))}
    </AdminForm>
  );
}
