"""jieba's HMM word guesser (`jieba.finalseg.cut`), word for word, at about three times its speed.

Runs of characters the dictionary does not join (names, new words) go through jieba's four-state
HMM (B, M, E, S: begin, middle, end of a word, single). jieba's Viterbi keeps one list of states
per state and copies it at every character, and takes each maximum over a new list of tuples:
on the shared letters that was a quarter of the clusterer's tokenizing. This is the same
programme with the same sums in the same order (so the same floating-point values), the same
tie-breaking (a tie goes to the alphabetically larger state, as comparing jieba's (prob, state)
tuples does) and back-pointers instead of copied paths. `tests/test_hmm.py` checks it against
jieba on real text.
"""
from __future__ import annotations

from jieba import finalseg

_MIN = finalseg.MIN_FLOAT
_START = finalseg.start_P
_TRANS = finalseg.trans_P
_EMIT = finalseg.emit_P


def cut(sentence: str) -> list[str]:
    """`list(jieba.finalseg.cut(sentence))`."""
    out: list[str] = []
    for block in finalseg.re_han.split(sentence):
        if finalseg.re_han.match(block):
            for word in _cut_han(block):
                if word in finalseg.Force_Split_Words:
                    out.extend(word)
                else:
                    out.append(word)
        else:
            out.extend(x for x in finalseg.re_skip.split(block) if x)
    return out


def _cut_han(sentence: str) -> list[str]:
    """finalseg's `__cut`: the words of one Han block, from its Viterbi states."""
    states = viterbi(sentence)
    words: list[str] = []
    begin = following = 0
    for i, state in enumerate(states):
        if state == "B":
            begin = i
        elif state == "E":
            words.append(sentence[begin:i + 1])
            following = i + 1
        elif state == "S":
            words.append(sentence[i])
            following = i + 1
    if following < len(sentence):
        words.append(sentence[following:])
    return words


def viterbi(obs: str) -> str:
    """The most probable states of `obs` (one of B, M, E, S per character), as finalseg's
    `viterbi(obs, "BMES", start_P, trans_P, emit_P)` finds them."""
    e_b, e_m, e_e, e_s = _EMIT["B"].get, _EMIT["M"].get, _EMIT["E"].get, _EMIT["S"].get
    t_eb, t_sb = _TRANS["E"].get("B", _MIN), _TRANS["S"].get("B", _MIN)
    t_mm, t_bm = _TRANS["M"].get("M", _MIN), _TRANS["B"].get("M", _MIN)
    t_ss, t_es = _TRANS["S"].get("S", _MIN), _TRANS["E"].get("S", _MIN)
    t_be, t_me = _TRANS["B"].get("E", _MIN), _TRANS["M"].get("E", _MIN)
    first = obs[0]
    v_b = _START["B"] + e_b(first, _MIN)
    v_m = _START["M"] + e_m(first, _MIN)
    v_e = _START["E"] + e_e(first, _MIN)
    v_s = _START["S"] + e_s(first, _MIN)
    back: list[tuple[str, str, str, str]] = []  # per character after the first: the best previous state of B, M, E, S
    for char in obs[1:]:
        # each state's two predecessors, as finalseg.PrevStatus lists them; a tie takes the larger letter
        em = e_b(char, _MIN)
        a, b = v_e + t_eb + em, v_s + t_sb + em
        n_b, p_b = (a, "E") if a > b else (b, "S")
        em = e_m(char, _MIN)
        a, b = v_m + t_mm + em, v_b + t_bm + em
        n_m, p_m = (b, "B") if b > a else (a, "M")
        em = e_s(char, _MIN)
        a, b = v_s + t_ss + em, v_e + t_es + em
        n_s, p_s = (b, "E") if b > a else (a, "S")
        em = e_e(char, _MIN)
        a, b = v_b + t_be + em, v_m + t_me + em
        n_e, p_e = (a, "B") if a > b else (b, "M")
        back.append((p_b, p_m, p_e, p_s))
        v_b, v_m, v_e, v_s = n_b, n_m, n_e, n_s
    state = "E" if v_e > v_s else "S"
    states = [state]
    for pointers in reversed(back):
        state = pointers["BMES".index(state)]
        states.append(state)
    return "".join(reversed(states))
