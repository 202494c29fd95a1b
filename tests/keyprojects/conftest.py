from tests.keyprojects.fixtures import key_milestone_a, key_phase_a, key_project_a  # noqa: F401
