"""Running an order action: re-read the order, re-check it, validate the input, write once, confirm, record.

Magento's write is never retried (magento-rest.md §9 money moves; style: never retry a POST). When its reply
is lost the bridge re-reads the order to learn whether the write happened, and says which. When the worker
itself died mid-action, the journal's checkpoint lets the next submission reconcile the same way
(docs/reliability.md, "Crash-safe actions"). Every submission leaves one audit row; every successful write leaves a
comment on the Magento order.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import Any
from typing import Protocol

from bridge.actions.journal import FAILED
from bridge.actions.journal import RAN
from bridge.actions.journal import REFUSED
from bridge.actions.journal import SUCCEEDED
from bridge.actions.journal import UNKNOWN
from bridge.actions.journal import Journal
from bridge.actions.journal import NotReconciled
from bridge.actions.journal import Reply
from bridge.actions.journal import canonical_json
from bridge.actions.journal import idempotency_key
from bridge.actions.journal import input_digest
from bridge.actions.journal import interrupted_reply
from bridge.actions.model import ActionForm
from bridge.actions.model import ActionResult
from bridge.actions.model import AuditTrail
from bridge.actions.model import Cap
from bridge.actions.offer import OPERATIONS
from bridge.actions.operations import Operation
from bridge.actions.operations import Requester
from bridge.actions.operations import Run
from bridge.actions.operations import add_comment
from bridge.actions.tokens import FormTokens
from bridge.errors import ActionError
from bridge.errors import ActionRejected
from bridge.errors import ActionValidationError
from bridge.errors import MagentoError
from bridge.errors import MagentoNotFound
from bridge.errors import MagentoRefusal
from bridge.errors import MagentoRejected
from bridge.errors import MagentoUnauthorized
from bridge.errors import OrderBusy
from bridge.errors import OutcomeUnknown
from bridge.magento.client import MagentoClient
from bridge.magento.store import StatusLabels
from bridge.metrics import ACTIONS

log = logging.getLogger(__name__)

ORDER_ID_RE = re.compile(r"[1-9][0-9]{0,18}")


class Guard(Protocol):
    """Limits beyond an operation's own checks (Gladly AI's): ``admit`` refuses a write (raising an ActionError)
    after its input is read and before it may happen; ``settle`` learns how the run under ``key`` ended (the
    audit's outcome: a write happened for ``WRITTEN`` ones, maybe for "unknown")."""

    def admit(self, run: Run, key: str) -> None: ...

    def settle(self, key: str, outcome: str | None) -> None: ...


def error_reply(error: ActionError, journal: str = FAILED) -> Reply:
    """An action error as the reply Gladly gets (§6.5)."""
    return Reply(error.status_code, {"errors": error.to_dicts()}, journal)


def succeeded_reply(result: ActionResult) -> Reply:
    """A successful action as the reply Gladly gets and the journal stores: ``{message, detail}`` (§6.5), and the
    facts Gladly AI's answer names when the operation has some."""
    return Reply(200, {key: value for key, value in asdict(result).items() if value is not None}, SUCCEEDED)


class OrderActions:
    """The order actions of one connected store: forms and exactly-once submissions.

    ``audit`` takes one row per submission (``AuditLog.record``) and counts the writes ``caps`` limit per action
    (``AuditLog.written_since``); ``journal`` runs each submission once; ``tokens`` issues and checks the forms'
    tokens; ``guard`` (Gladly AI's limits) admits each write just before it and learns how it ended.
    """

    def __init__(self, client: MagentoClient, enabled: list[str], *, audit: Any, journal: Journal,
                 tokens: FormTokens, prefix: str = "", statuses: StatusLabels | None = None,
                 caps: Mapping[str, Cap] | None = None, guard: Guard | None = None):
        self.client = client
        self.guard = guard
        self.caps = caps or {}
        self.enabled = enabled
        self.audit = audit
        self.journal = journal
        self.tokens = tokens
        self.prefix = prefix
        self.statuses = statuses or StatusLabels()

    def form(self, action: str, order_id: str) -> ActionForm:
        """The form for ``GET formUrl``, its ``actionUrl`` carrying a fresh token for this action and order (§6.3)."""
        operation, number = self._operation(action), _order_id(order_id)
        order, context = self._load(operation, number, submitting=False)
        action_url = (f"{self.prefix}/gladly/actions/{action}?orderId={number}"
                      f"&token={self.tokens.issue(action, number)}")
        return operation.form(order, action_url, context)

    def submit(self, action: str, order_id: str, token: str, payload: dict, requester: Requester) -> Reply:
        """Run a form's submission once and audit it; the reply for ``POST actionUrl`` (§6.4)."""
        trail = AuditTrail()
        try:
            operation, number = self._operation(action), _order_id(order_id)
            self.tokens.check(token, action, number)
        except ActionError as error:
            trail.error = error.detail
            reply = error_reply(error)
            self._audit(action, order_id, payload, requester, reply, "rejected", trail)
            return reply
        reply = self.run(operation, number, idempotency_key(action, str(number), token), payload, requester, trail)
        # Gladly's action reply is {message, detail} (§6.5); the facts are Gladly AI's.
        return Reply(reply.status, {key: value for key, value in reply.body.items() if key != "facts"}, reply.journal)

    def run(self, operation: Operation, number: int, key: str, payload: dict, requester: Requester,
            trail: AuditTrail | None = None) -> Reply:
        """Run ``payload`` once under the idempotency ``key`` and audit it (the form token, or Gladly AI's key,
        already checked)."""
        action, trail = operation.name, trail or AuditTrail()
        earlier = self._recover_expired(operation, number, key)
        if earlier is not None:
            self._audit(action, str(number), payload, requester, earlier, "rejected", trail)
            return earlier
        reply, how = self.journal.run_once(
            key, lambda: self._attempt(operation, number, payload, requester, trail, key),
            lambda previous: self._recover(operation, number, previous, trail),
            lambda row: self._same_input(operation, number, payload, row),
            order_id=str(number), action=action, input=payload, agent_id=requester.agent_id,
            correlation_id=requester.correlation_id)
        if how == REFUSED:
            trail.error = reply.body["errors"][0]["detail"]
        if how == RAN and self.guard is not None:
            self.guard.settle(key, trail.outcome)
        self._audit(action, str(number), payload, requester, reply, (trail.outcome or "failed") if how == RAN else how,
                    trail)
        return reply

    def load(self, operation: Operation, order_id: int) -> tuple[dict, Any]:
        """The order and the operation's reads, when Magento would accept the action (ActionRejected otherwise)."""
        return self._load(operation, order_id, submitting=False)

    def reconcile(self, operation: Operation, order_id: int) -> None:
        """Reconcile the claims dead workers left on this order and action, each with its own audit row."""
        self._recover_expired(operation, order_id, "")

    def _same_input(self, operation: Operation, order_id: int, payload: dict, row: dict) -> bool:
        """Whether ``payload`` asks for what the form's first submission (``row``) asked: the same body, or the
        same canonical validated input (spaces, spellings and fields the form does not read aside)."""
        if canonical_json(payload) == canonical_json(row.get("input")):
            return True
        if row.get("input_digest") is None:
            return False  # the first submission was not validated yet
        try:
            _order, context = self._read(operation, order_id)
            return input_digest(operation.canonical(payload, context)) == row["input_digest"]
        except ActionError:
            return False

    def _operation(self, action: str) -> Operation:
        if action not in OPERATIONS or action not in self.enabled:
            raise ActionRejected(f"The action {action!r} is not enabled.", message="Action unavailable")
        return OPERATIONS[action]

    def _recover_expired(self, operation: Operation, order_id: int, key: str) -> Reply | None:
        """Reconcile the claims dead workers left on this order and action under keys other than ``key``, each with
        its own audit row. The answer for the new submission when one of them did write (or cannot be told):
        the agent must see the order as it is before writing again."""
        trails: dict[str, AuditTrail] = {}

        def recover(previous: dict) -> Reply | None:
            trail = trails.setdefault(previous["idempotency_key"], AuditTrail())
            return self._recover(operation, order_id, previous, trail)

        answer = None
        for previous, reply in self.journal.recover_expired(str(order_id), operation.name, key, recover):
            trail = trails.get(previous["idempotency_key"], AuditTrail())
            requester = Requester(previous.get("gladly_agent_id"), previous.get("correlation_id"))
            self._audit(operation.name, str(order_id), previous.get("input"), requester, reply or interrupted_reply(),
                        trail.outcome or "interrupted", trail)
            if reply is not None and reply.status == 200:
                answer = error_reply(ActionError(
                    f"An earlier submission of this action was interrupted before it could answer, and it did go "
                    f"through: {reply.body['detail']} Nothing more was done; reopen the form to see the order as "
                    f"it is now.", message="Done earlier"))
            elif reply is not None and answer is None:
                answer = reply
        return answer

    def _recover(self, operation: Operation, order_id: int, previous: dict, trail: AuditTrail) -> Reply | None:
        """The reply of a dead run's write if Magento shows it (noted on the order if the note is missing), or
        None when it never happened; raises NotReconciled when Magento cannot be read."""
        requester = Requester(previous.get("gladly_agent_id"), previous.get("correlation_id"))
        try:
            order, context = self._read(operation, order_id)
            run = Run(order_id=order_id, order=order, requester=requester, context=context, trail=trail)
            trail.increment_id = order.get("increment_id")
            operation.restore(run, previous["checkpoint"], previous.get("input") or {})
            run.after = operation.reread(self.client, run)
        except (ActionError, MagentoError) as error:
            trail.outcome = "unreconciled"
            trail.error = error.detail
            raise NotReconciled(error_reply(ActionError(
                f"An earlier submission was interrupted and Magento cannot be read to tell whether it went through "
                f"({error.detail}); nothing more was done. Try again in a moment.",
                message=f"Could not {operation.verb}"))) from None
        if not operation.happened(run):
            return None
        trail.outcome = "recovered"
        detail = operation.describe(run) + self._record(operation, run)
        return succeeded_reply(ActionResult(message=f"{operation.done} (recovered after an interruption)",
                                            detail=detail, facts=operation.facts(run)))

    def _read(self, operation: Operation, order_id: int, submitting: bool = False) -> tuple[dict, Any]:
        """The order and the operation's other reads, Magento's failures as action errors."""
        try:
            return operation.load(self.client, order_id, submitting)
        except MagentoNotFound:
            raise ActionRejected(f"Order {order_id} does not exist in Magento.", message="Order not found") from None
        except MagentoUnauthorized as error:
            raise ActionRejected(error.detail, message="Magento refused the bridge") from None
        except MagentoError as error:
            raise ActionError(f"Magento could not be read ({error.detail}); nothing was changed. Try again.",
                              message="Magento unavailable") from None

    def _load(self, operation: Operation, order_id: int, submitting: bool) -> tuple[dict, Any]:
        """Read the order and check that Magento would still accept the action (406 otherwise)."""
        order, context = self._read(operation, order_id, submitting)
        if not operation.can(order):
            raise ActionRejected(f"Order {order.get('increment_id')} cannot take this action now: it is "
                                 f"{self.statuses.label(order.get('status'), order.get('store_id'))}.",
                                 message=f"Could not {operation.verb}")
        return order, context

    def _attempt(self, operation: Operation, order_id: int, payload: dict, requester: Requester,
                 trail: AuditTrail, key: str) -> Reply:
        """One run of the action, every failure turned into the reply Gladly should see."""
        try:
            result = self._perform(operation, order_id, payload, requester, trail, key)
        except OutcomeUnknown as error:
            trail.outcome = "unknown"
            trail.error = error.detail
            return error_reply(error, UNKNOWN)
        except ActionError as error:
            trail.error = error.detail
            if trail.outcome is None:
                trail.outcome = ("invalid" if isinstance(error, ActionValidationError)
                                 else "rejected" if error.status_code == 406 else "failed")
            return error_reply(error)
        if trail.outcome is None:
            trail.outcome = "succeeded"
        return succeeded_reply(result)

    def _perform(self, operation: Operation, order_id: int, payload: dict, requester: Requester,
                 trail: AuditTrail, key: str) -> ActionResult:
        order, context = self._load(operation, order_id, submitting=True)
        run = Run(order_id=order_id, order=order, requester=requester, context=context, trail=trail,
                  statuses=self.statuses)
        trail.increment_id = order.get("increment_id")
        run.params = operation.read(payload, run.context)
        self._admit(operation, run)
        if self.guard is not None:
            self.guard.admit(run, key)
        failure = f"Could not {operation.verb}"
        outcome_unknown = False
        # From here on the write may happen.
        busy = self.journal.checkpoint(key, operation.checkpoint(run),
                                       input_digest(operation.canonical(payload, run.context)))
        if busy is not None:
            raise OrderBusy(f"Order {order.get('increment_id')} is being changed right now (another agent's or "
                            f"Gladly AI's {OPERATIONS[busy].label.lower()}); nothing was changed. Reopen the form "
                            f"in a moment to see the order as it is then.", message="Order busy")
        try:
            run.reply = trail.magento = operation.write(self.client, run)
        except MagentoRejected as error:
            if isinstance(error, (MagentoUnauthorized, MagentoNotFound)):
                raise ActionRejected(error.detail, message=failure) from None
            trail.outcome = "rejected"
            raise MagentoRefusal(error.detail, message=failure) from None
        except MagentoError as error:
            trail.magento = error.detail
            if not getattr(error, "outcome_unknown", False) and error.magento_status is None:
                raise ActionError(f"Magento could not be reached ({error.detail}); nothing was changed. Try again.",
                                  message=failure) from None
            outcome_unknown = True  # the write may have happened: find out instead of repeating it
        try:
            run.after = operation.reread(self.client, run)
        except MagentoError as error:
            if outcome_unknown:
                raise OutcomeUnknown(f"Magento did not answer and the order could not be re-read ({error.detail}). "
                                     f"Check order {order.get('increment_id')} in Magento before trying again.",
                                     message=failure) from None
            log.warning("order %s re-read after %s failed: %s", order_id, operation.name, error.detail)
        if outcome_unknown:
            if not operation.happened(run):
                raise ActionError(f"Magento did not confirm; {operation.not_done}. Try again.", message=failure)
            trail.outcome = "confirmed"
        detail = operation.describe(run) + self._record(operation, run)
        message = operation.message(run)
        return ActionResult(message=f"{message} (confirmed after a timeout)" if outcome_unknown else message,
                            detail=detail, facts=operation.facts(run))

    def _admit(self, operation: Operation, run: Run) -> None:
        """Refuse a write over the bridge's own cap on the action, counted from the audit, before it may happen."""
        cap = self.caps.get(operation.name)
        if cap is not None:
            since = datetime.now(timezone.utc) - timedelta(days=cap.days)
            operation.admit(run, cap, self.audit.written_since(operation.name, since))

    def _record(self, operation: Operation, run: Run) -> str:
        """Leave a comment on the order saying Gladly did this; '' or a remark for the detail."""
        if operation.records_itself:
            return ""
        if run.after is None:
            # Without the current status the comment could reset it (magento/magento2#34180): skip it.
            return " The order history note could not be added."
        text = operation.note_text(run)
        if any(entry.get("comment") == text for entry in run.after.get("status_histories") or []):
            return ""  # a recovered action whose worker wrote the note before it died
        try:
            add_comment(self.client, run.order_id, run.after.get("status"), text,
                        notify=operation.name == "cancel" and run.params["notify"])
        except MagentoError as error:
            log.warning("order %s: recording comment failed: %s", run.order_id, error.detail)
            run.trail.note_error = error.detail
            return " The order history note could not be added."
        return ""

    def _audit(self, action: str, order_id: str, payload: dict, requester: Requester, reply: Reply, outcome: str,
               trail: AuditTrail) -> None:
        result = {"status": reply.status, "magento": trail.magento, "note_error": trail.note_error}
        # The action name comes from the URL: only known ones become a metric label.
        ACTIONS.labels(action if action in OPERATIONS else "unknown", outcome).inc()
        self.audit.record(
            action=action, order_id=order_id, outcome=outcome, increment_id=trail.increment_id,
            agent_id=requester.agent_id, correlation_id=requester.correlation_id, input=payload,
            magento_result=result, error=trail.error if reply.status != 200 else None)


def _order_id(value: str) -> int:
    if not ORDER_ID_RE.fullmatch(str(value or "")):
        raise ActionRejected("The action has no valid orderId.", message="Order not found")
    return int(value)
