<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\CatalogUrlRewrite\Model;

/**
 * Test stand-in for Magento's product URL path generator: only the path of the product URL suffix.
 */
class ProductUrlPathGenerator
{
    public const XML_PATH_PRODUCT_URL_SUFFIX = 'catalog/seo/product_url_suffix';
}
