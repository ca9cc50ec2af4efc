    // ---- table ------------------------------------------------------------------------
{%- if programmable %}
{%- if segments > 1 %}
    reg  [{{ (segments - 1) * nx - 1 }}:0] tbl_bp;
{%- endif %}
    reg  [{{ segments * nk - 1 }}:0] tbl_k;
    reg  [{{ segments * nb - 1 }}:0] tbl_b;

    always @(posedge clk) begin
        if (rst) begin
{%- if segments > 1 %}
            tbl_bp <= {{ init_bp }};
{%- endif %}
            tbl_k  <= {{ init_k }};
            tbl_b  <= {{ init_b }};
        end else if (cfg_we) begin
            case (cfg_addr)
{%- for w in writes %}
                {{ w.addr }}: {{ w.target }} <= {{ w.data }};
{%- endfor %}
                default: ;
            endcase
        end
    end
{%- else %}
{%- if segments > 1 %}
    wire [{{ (segments - 1) * nx - 1 }}:0] tbl_bp = {{ init_bp }};
{%- endif %}
    wire [{{ segments * nk - 1 }}:0] tbl_k = {{ init_k }};
    wire [{{ segments * nb - 1 }}:0] tbl_b = {{ init_b }};
{%- endif %}

    // ---- handshake ----------------------------------------------------------------------
    wire adv = !s4_valid || out_ready;
    assign in_ready  = adv;
    assign out_valid = s4_valid;
    assign out_data  = s4_y;

    // ---- pipeline registers -------------------------------------------------------------
{%- if stages == 4 %}
    reg                  s1_valid;
    reg  [{{ lanes * nx - 1 }}:0] s1_x;
{%- endif %}
{%- if stages >= 3 %}
    reg                  s2_valid;
    reg  [{{ lanes * nx - 1 }}:0] s2_x;
    reg  [{{ lanes * sw - 1 }}:0] s2_seg;
{%- endif %}
{%- if stages >= 2 %}
    reg                  s3_valid;
    reg  [{{ lanes * np - 1 }}:0] s3_prod;
    reg  [{{ lanes * nb - 1 }}:0] s3_icpt;
{%- endif %}
    reg                  s4_valid;
    reg  [{{ lanes * ny - 1 }}:0] s4_y;

{#- The table registers, handshake and pipeline registers of lutforge_unit, shared by unit_int.v and unit_fp32.v (all data widths are 32 in the FP32 unit). #}