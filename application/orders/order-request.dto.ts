import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsInt,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ORDER_LIMITS } from '../../domain/order.js';

/** Identifier syntax (orderId, customerId, sku); exported for the queue re-check's fast path (order-shape-fast-path.ts). */
export const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const IDENTIFIER_MAX_LENGTH = 64;
export const CURRENCY = /^[A-Z]{3}$/;

/** Shape of one order line as it arrives over HTTP. Business rules live in domain/order.ts. */
export class OrderLineDto {
  @IsDefined()
  @IsString()
  @Length(1, IDENTIFIER_MAX_LENGTH)
  @Matches(IDENTIFIER, { message: 'sku may contain letters, digits and . _ : - only' })
  sku!: string;

  @IsDefined()
  @IsInt()
  @Min(ORDER_LIMITS.minQuantity)
  @Max(ORDER_LIMITS.maxQuantity)
  quantity!: number;

  @IsDefined()
  @IsInt()
  @Min(ORDER_LIMITS.minUnitPriceMinor)
  @Max(ORDER_LIMITS.maxUnitPriceMinor)
  unitPriceMinor!: number;
}

/** Shape of an order as it arrives over HTTP (and, re-checked, off the queue). */
export class OrderRequestDto {
  @IsDefined()
  @IsString()
  @Length(1, IDENTIFIER_MAX_LENGTH)
  @Matches(IDENTIFIER, { message: 'orderId may contain letters, digits and . _ : - only' })
  orderId!: string;

  @IsDefined()
  @IsString()
  @Length(1, IDENTIFIER_MAX_LENGTH)
  @Matches(IDENTIFIER, { message: 'customerId may contain letters, digits and . _ : - only' })
  customerId!: string;

  @IsDefined()
  @IsString()
  @Matches(CURRENCY, { message: 'currency must be an ISO 4217 code of three capital letters' })
  currency!: string;

  @IsDefined()
  @IsArray()
  @ArrayMinSize(ORDER_LIMITS.minLines)
  @ArrayMaxSize(ORDER_LIMITS.maxLines)
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  lines!: OrderLineDto[];
}
