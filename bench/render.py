"""Time to render one Japanese article: the markdown-it pipeline against the old Python-Markdown one.

    .venv/bin/python bench/render.py                 # 300 renders each, after 20 warm-up renders
    .venv/bin/python bench/render.py --repeat 1000

The article (about 6,000 characters: headings, paragraphs, nested lists, tables, code in three
languages, links, footnotes, inline math) is built below, so the run is the same everywhere.
Both pipelines run in this process, alternating, each render from Markdown source to sanitized
HTML, table of contents and plain text — what ``Article.save`` stores. The process is set up as
a gunicorn worker is (``config.wsgi``: garbage collector on, start-up heap frozen), the same for
both pipelines.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

SECTION = """
## {n}. 推論コストを下げる工夫 その{n}

大規模言語モデル（LLM）の推論では、**GPU メモリ**と*帯域幅*がボトルネックになります。
量子化・バッチ処理・KV キャッシュの再利用を組み合わせると、コストは大きく下がります[^{n}]。
詳しくは [公式ドキュメント](https://example.com/docs/{n}) と https://example.com/blog/{n} を参照してください。
損失関数は $L = -\\sum_i y_i \\log p_i$ で表されます。

- 量子化：重みを 8 ビットや 4 ビットに
  - INT8：精度の低下が小さい
  - INT4：メモリは半分、精度に注意
- バッチ処理：複数のリクエストをまとめる
- [x] ベンチマーク済み
- [ ] 本番環境で検証

1. モデルを読み込みます。

   ```python
   from transformers import AutoModelForCausalLM

   model = AutoModelForCausalLM.from_pretrained("llama-{n}", load_in_8bit=True)
   ```

2. サーバーを起動します。

   ```bash
   vllm serve llama-{n} --tensor-parallel-size 2 --max-model-len 8192
   ```

| 手法 | メモリ削減 | 速度 | 精度 |
|:--|--:|:-:|--|
| FP16 | 0% | 1.0× | 基準 |
| INT8 | 50% | 1.6× | ほぼ同じ |
| INT4 | 75% | 2.1× | やや低下 |

> 注意：量子化の効果はモデルと用途によって異なります。必ず自分のデータで評価してください。

```javascript
const response = await fetch("/api/generate", {{ method: "POST", body: JSON.stringify({{ prompt }}) }});
```

[^{n}]: 2024 年の社内ベンチマークによる数値です。
"""


def article(target_chars: int = 6000) -> str:
    parts, n = ["# LLM 推論の最適化ガイド\n\n本記事では、推論コストを下げる方法を解説します。\n"], 1
    while sum(map(len, parts)) < target_chars:
        parts.append(SECTION.format(n=n))
        n += 1
    return "".join(parts)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from bench import old_rendering
    from blog.rendering import render_markdown
    import config.wsgi  # noqa: F401  the process as a gunicorn worker runs it (heap frozen after start-up)

    source = article()
    pipelines = {"markdown-it-py (new)": render_markdown, "Python-Markdown (old)": old_rendering.render_markdown}
    for render in pipelines.values():
        for _ in range(args.warmup):
            render(source)
    samples: dict[str, list[float]] = {name: [] for name in pipelines}
    for _ in range(args.repeat):
        for name, render in pipelines.items():  # alternating, so both see the same machine load
            start = time.perf_counter()
            render(source)
            samples[name].append((time.perf_counter() - start) * 1000)

    print(f"article: {len(source)} characters, {args.repeat} renders each (after {args.warmup} warm-up)")
    print(f"{'pipeline':<24} {'median ms':>10} {'p99 ms':>10}")
    for name, values in samples.items():
        print(f"{name:<24} {statistics.median(values):>10.2f} {percentile(values, 99):>10.2f}")
    new, old = samples.values()
    print(f"new / old: median {statistics.median(new) / statistics.median(old):.2f}×, "
          f"p99 {percentile(new, 99) / percentile(old, 99):.2f}×  (target ≤ 1.5× for both)")


if __name__ == "__main__":
    main()
