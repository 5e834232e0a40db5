/** What the last action on a page did (announced to screen readers), and its error if it failed. */
export function Outcome({ said, error }: { said: string; error: string }) {
  return (
    <>
      <p role="status" class="quiet">
        {said}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
