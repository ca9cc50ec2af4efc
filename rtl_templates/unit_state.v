    // ---- table ------------------------------------------------------------------------
{%- for line in u.table_params %}
    {{ line }}
{%- endfor %}
{%- if u.programmable %}
{%- if u.segments > 1 %}
    reg  [{{ (u.segments - 1) * u.nx - 1 }}:0] tbl_bp;
{%- endif %}
    reg  [{{ u.segments * u.nk - 1 }}:0] tbl_k;
    reg  [{{ u.segments * u.nb - 1 }}:0] tbl_b;

    // The table resets to the values above; cfg_we writes one entry per cycle.
    always @(posedge clk{{ u.rst_event }}) begin
        if ({{ u.rst_on }}) begin
{%- if u.segments > 1 %}
            tbl_bp <= {{ u.init_bp }};
{%- endif %}
            tbl_k  <= {{ u.init_k }};
            tbl_b  <= {{ u.init_b }};
        end else if (cfg_we) begin
            case (cfg_addr)
{%- for w in u.writes %}
                {{ w.addr }}: {{ w.target }} <= {{ w.data }};
{%- endfor %}
                default: ;
            endcase
        end
    end
{%- else %}
{%- if u.segments > 1 %}
    wire [{{ (u.segments - 1) * u.nx - 1 }}:0] tbl_bp = {{ u.init_bp }};
{%- endif %}
    wire [{{ u.segments * u.nk - 1 }}:0] tbl_k = {{ u.init_k }};
    wire [{{ u.segments * u.nb - 1 }}:0] tbl_b = {{ u.init_b }};
{%- endif %}

    // ---- handshake ----------------------------------------------------------------------
    wire adv = !s4_valid || out_ready;
    assign in_ready  = adv;
    assign out_valid = s4_valid;
    assign out_data  = s4_y;

    // ---- pipeline registers -------------------------------------------------------------
{%- if u.has_s1 %}
    reg                  s1_valid;
    reg  [{{ u.lanes * u.nx - 1 }}:0] s1_x;
{%- endif %}
{%- if u.has_s2 %}
    reg                  s2_valid;
    reg  [{{ u.lanes * u.nx - 1 }}:0] s2_x;
    reg  [{{ u.lanes * u.sw - 1 }}:0] s2_seg;
{%- endif %}
{%- if u.has_s3 %}
    reg                  s3_valid;
    reg  [{{ u.lanes * u.np - 1 }}:0] s3_prod;
    reg  [{{ u.lanes * u.nb - 1 }}:0] s3_icpt;
{%- endif %}
    reg                  s4_valid;
    reg  [{{ u.lanes * u.ny - 1 }}:0] s4_y;

{#- The table registers, handshake and pipeline registers of the unit, shared by unit_int.v and unit_fp32.v (all data widths are 32 in the FP32 unit). #}
