"""`python -m bench`: the page bench, as `python -m bench.pages`."""

from bench.pages import main

if __name__ == "__main__":
    main()
