#!/usr/bin/python3
"""Assembles docs/img/xai-heatmaps.png from a `fathom explain` report directory (needs python3-pil).

usage: /usr/bin/python3 tools/xai_heatmap_grid.py runs/explain-demo docs/img/xai-heatmaps.png
"""
import sys
from PIL import Image, ImageDraw

src, dst = sys.argv[1], sys.argv[2]
methods = ["saliency", "gradxinput", "ig", "smoothgrad", "gradshap", "occlusion"]
tiles = [[Image.open(f"{src}/example-{i:03d}-{m}.png") for m in methods] for i in range(2)]
w, h = tiles[0][0].size
canvas = Image.new("RGB", (w * 3 + 20, (h + 18) * 4), "white")
draw = ImageDraw.Draw(canvas)
for e in range(2):
    for k, m in enumerate(methods):
        x, y = (k % 3) * (w + 10), (e * 2 + k // 3) * (h + 18)
        canvas.paste(tiles[e][k], (x, y + 16))
        draw.text((x + 4, y + 2), m, fill="black")
canvas.save(dst)
