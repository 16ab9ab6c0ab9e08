/** The end of a dialog's form: the form's error (if any), Cancel, and the submit button, busy while it runs. */
export function FormActions(props: { error: string | null; busy: boolean; label: string; busyLabel: string; onCancel: () => void }) {
  return (
    <>
      {props.error && (
        <p className="form-error" role="alert">
          {props.error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={props.busy}>
          {props.busy ? props.busyLabel : props.label}
        </button>
      </div>
    </>
  );
}
