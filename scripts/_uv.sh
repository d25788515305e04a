# Sourced by the other scripts: make sure uv is there and the workspace is installed (locked).
UV_VERSION="0.13.8"
if ! command -v uv >/dev/null 2>&1; then
  echo "installing uv $UV_VERSION (the project's package manager) with pip..." >&2
  python3 -m pip install --quiet --user "uv==$UV_VERSION" || python3 -m pip install --quiet "uv==$UV_VERSION"
  export PATH="$HOME/.local/bin:$PATH"
fi
uv sync --frozen --quiet
