"""ask-sdk-core's CustomSkill without the per-request work that buys us nothing.

`CustomSkill.invoke` builds a TemplateFactory on every request (it only wraps the skill's
loaders and renderer, which never change), and its AttributesManager deep-copies the session
attributes so handlers cannot touch the request envelope. Our envelopes are decoded fresh for
each request and read by nobody after the handler, and SessionStateReader replaces every kept
value with a newly built one before any handler runs: a shallow copy is enough.
Everything else (the service client factory, dispatch, the response envelope) is the SDK's,
unchanged. The skill id check is the SDK's too, except that it reads the id where request
verification does (skill/alexa/verification/request_checks.py): `context.System.application`,
else `session.application`; a request with neither is refused, not a crash (issue 17).
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter, AttributesManager
from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill, SkillConfiguration
from ask_sdk_core.utils import RESPONSE_FORMAT_VERSION
from ask_sdk_core.view_resolvers import TemplateFactory
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_model.services import ApiConfiguration, ServiceClientFactory
from ask_sdk_runtime.utils import UserAgentManager


class WrongApplicationId(AskSdkException):  # type: ignore[misc]
    """The request is for another skill (its application id is not this skill's id). The
    message is the SDK's own, so callers that match on it keep working."""

    def __init__(self) -> None:
        super().__init__("Skill ID Verification failed!!")


def application_id(request_envelope: RequestEnvelope) -> Any:
    """The application id the request names: `context.System.application.applicationId`, else
    the session's (Amazon's request reference carries it in both; verification accepts either),
    else None. Any part may be missing: the envelope is the client's."""
    system = getattr(getattr(request_envelope, "context", None), "system", None)
    found = getattr(getattr(system, "application", None), "application_id", None)
    if found is None:
        session = getattr(request_envelope, "session", None)
        found = getattr(getattr(session, "application", None), "application_id", None)
    return found


class ShallowAttributesManager(AttributesManager):
    """AttributesManager whose session attributes are a shallow copy of the request's."""

    def __init__(
        self,
        request_envelope: RequestEnvelope,
        persistence_adapter: AbstractPersistenceAdapter | None = None,
    ) -> None:
        session = request_envelope.session
        if session is None or not session.attributes:
            super().__init__(request_envelope, persistence_adapter)
            return
        attributes = session.attributes
        session.attributes = None  # the SDK then starts from {}: nothing to deep-copy
        try:
            super().__init__(request_envelope, persistence_adapter)
        finally:
            session.attributes = attributes
        self.session_attributes = dict(attributes)


class LeanSkill(CustomSkill):  # type: ignore[misc]
    """CustomSkill with the template factory built once and shallow session attributes."""

    def __init__(self, skill_configuration: SkillConfiguration) -> None:
        super().__init__(skill_configuration)
        self.skill_configuration = skill_configuration
        self.template_factory = TemplateFactory(
            template_loaders=self.loaders, template_renderer=self.renderer
        )

    def invoke(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope:
        if self.skill_id is not None and application_id(request_envelope) != self.skill_id:
            raise WrongApplicationId
        system = getattr(request_envelope.context, "system", None)
        factory = None
        if self.api_client is not None:
            factory = ServiceClientFactory(
                api_configuration=ApiConfiguration(
                    serializer=self.serializer,
                    api_client=self.api_client,
                    authorization_value=getattr(system, "api_access_token", None),
                    api_endpoint=getattr(system, "api_endpoint", None),
                )
            )
        handler_input = HandlerInput(
            request_envelope=request_envelope,
            attributes_manager=ShallowAttributesManager(
                request_envelope=request_envelope, persistence_adapter=self.persistence_adapter
            ),
            context=context,
            service_client_factory=factory,
            template_factory=self.template_factory,
        )
        response = self.request_dispatcher.dispatch(handler_input=handler_input)
        session_attributes = None
        if request_envelope.session is not None:
            session_attributes = handler_input.attributes_manager.session_attributes
        return ResponseEnvelope(
            response=response,
            version=RESPONSE_FORMAT_VERSION,
            session_attributes=session_attributes,
            user_agent=UserAgentManager.get_user_agent(),
        )
